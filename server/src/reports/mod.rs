//! The figures of a round's report, computed from plain data: the score distribution of each
//! exam (a histogram over tenths of the maximum score), the pass rate of each section, and per
//! position the applicants, the winners and the competition ratio (*tỷ lệ chọi*, applicants
//! per quota place). Exact decimals throughout (VN-12): rates and ratios are rounded to 2
//! places half away from zero only when shown.
//!
//! Pure: the service reads the round and hands the data in; `svg` draws the charts.

pub mod svg;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::rules::two_places;
use question_bank::scoring::PaperResult;

/// Buckets of the histogram: tenths of the maximum score.
pub const BUCKETS: u32 = 10;

/// One bar of a histogram: results with `from` ≤ score % of the maximum < `to` (the last bar
/// includes 100 %).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Bucket {
    /// Lower bound, percent of the maximum score.
    pub from: u32,
    /// Upper bound, percent of the maximum score.
    pub to: u32,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SectionRate {
    pub code: String,
    /// Candidates graded on the section (exempt ones are not counted, VN-6).
    pub sat: u64,
    pub passed: u64,
    /// `passed / sat` in percent, 2 places (`"83.33"`); `"0.00"` when nobody sat.
    pub pass_rate: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ExamFigures {
    pub code: String,
    pub name: String,
    pub stage: String,
    /// Graded papers counted (the latest per candidate: a retake replaces, VN-23).
    pub graded: u64,
    /// Papers that passed as a whole.
    pub passed: u64,
    pub pass_rate: String,
    pub histogram: Vec<Bucket>,
    pub sections: Vec<SectionRate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PositionFigures {
    pub code: String,
    pub name: String,
    pub quota: u32,
    /// Every application for the position.
    pub applicants: u64,
    /// Applications not refused at the eligibility check.
    pub eligible: u64,
    /// Winners in the current ranking (VN-10, VN-13).
    pub winners: u64,
    /// Applicants per quota place, 2 places (`"3.50"`); `"0.00"` for a quota of 0.
    pub competition_ratio: String,
}

/// What the service knows of one exam.
pub struct ExamInput {
    pub code: String,
    pub name: String,
    pub stage: String,
    pub results: Vec<PaperResult>,
}

/// What the service knows of one position.
pub struct PositionInput {
    pub code: String,
    pub name: String,
    pub quota: u32,
    pub applicants: u64,
    pub eligible: u64,
    pub winners: u64,
}

/// `part / whole` in percent, 2 places.
pub fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "0.00".into();
    }
    two_places(Decimal::from(part) * Decimal::from(100) / Decimal::from(whole))
}

/// `a / b`, 2 places.
pub fn ratio(a: u64, b: u32) -> String {
    if b == 0 {
        return "0.00".into();
    }
    two_places(Decimal::from(a) / Decimal::from(b))
}

/// The bucket of a score: `floor(10 × score / max)`, the maximum itself in the last bucket.
pub fn bucket_of(score: Decimal, max: Decimal) -> usize {
    if max <= Decimal::ZERO || score <= Decimal::ZERO {
        return 0;
    }
    let tenths = (score * Decimal::from(BUCKETS) / max).floor();
    let last = (BUCKETS - 1) as usize;
    tenths.to_usize().unwrap_or(last).min(last)
}

/// Histogram of papers by their score over the sections not exempt, as a share of the maximum.
pub fn histogram(results: &[PaperResult]) -> Vec<Bucket> {
    let mut counts = vec![0_u64; BUCKETS as usize];
    for r in results {
        let (score, max) = r
            .sections
            .iter()
            .filter(|s| !s.exempt)
            .fold((Decimal::ZERO, Decimal::ZERO), |(s, m), x| {
                (s + x.score, m + x.max_score)
            });
        counts[bucket_of(score, max)] += 1;
    }
    let step = 100 / BUCKETS;
    counts
        .into_iter()
        .enumerate()
        .map(|(i, count)| {
            let i = i as u32;
            Bucket {
                from: i * step,
                to: (i + 1) * step,
                count,
            }
        })
        .collect()
}

/// Pass rate of each section, in the order the sections first appear.
pub fn section_rates(results: &[PaperResult]) -> Vec<SectionRate> {
    let mut out: Vec<(String, u64, u64)> = Vec::new();
    for r in results {
        for s in r.sections.iter().filter(|s| !s.exempt) {
            let i = match out.iter().position(|(c, _, _)| *c == s.code) {
                Some(i) => i,
                None => {
                    out.push((s.code.clone(), 0, 0));
                    out.len() - 1
                }
            };
            out[i].1 += 1;
            if s.passed {
                out[i].2 += 1;
            }
        }
    }
    out.into_iter()
        .map(|(code, sat, passed)| SectionRate {
            code,
            sat,
            passed,
            pass_rate: percent(passed, sat),
        })
        .collect()
}

pub fn exam_figures(e: &ExamInput) -> ExamFigures {
    let graded = e.results.len() as u64;
    let passed = e.results.iter().filter(|r| r.passed).count() as u64;
    ExamFigures {
        code: e.code.clone(),
        name: e.name.clone(),
        stage: e.stage.clone(),
        graded,
        passed,
        pass_rate: percent(passed, graded),
        histogram: histogram(&e.results),
        sections: section_rates(&e.results),
    }
}

pub fn position_figures(p: &PositionInput) -> PositionFigures {
    PositionFigures {
        code: p.code.clone(),
        name: p.name.clone(),
        quota: p.quota,
        applicants: p.applicants,
        eligible: p.eligible,
        winners: p.winners,
        competition_ratio: ratio(p.applicants, p.quota),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use question_bank::scoring::SectionResult;
    use rust_decimal::dec;

    fn paper(sections: &[(&str, Decimal, Decimal, bool)]) -> PaperResult {
        PaperResult {
            sections: sections
                .iter()
                .map(|(code, score, max, passed)| SectionResult {
                    code: code.to_string(),
                    correct: *score,
                    total: 60,
                    score: *score,
                    max_score: *max,
                    passed: *passed,
                    exempt: false,
                })
                .collect(),
            passed: sections.iter().all(|s| s.3),
        }
    }

    #[test]
    fn buckets_are_tenths_of_the_maximum_with_the_maximum_in_the_last() {
        assert_eq!(bucket_of(dec!(0), dec!(60)), 0);
        assert_eq!(bucket_of(dec!(5.99), dec!(60)), 0);
        assert_eq!(bucket_of(dec!(6), dec!(60)), 1);
        assert_eq!(bucket_of(dec!(29), dec!(60)), 4);
        assert_eq!(
            bucket_of(dec!(30), dec!(60)),
            5,
            "VN-1: 30/60 is the pass mark"
        );
        assert_eq!(bucket_of(dec!(59.99), dec!(60)), 9);
        assert_eq!(bucket_of(dec!(60), dec!(60)), 9);
        assert_eq!(bucket_of(dec!(10), dec!(0)), 0);
    }

    #[test]
    fn the_histogram_of_e1_round_one_has_known_bars() {
        // E1, round 1: 40, 41, 35, 38, 29 and 44 correct of 60.
        let results: Vec<PaperResult> = [40, 41, 35, 38, 29, 44]
            .iter()
            .map(|c| {
                let score = Decimal::from(*c);
                paper(&[("KTC", score, dec!(60), *c >= 30)])
            })
            .collect();
        let h = histogram(&results);
        assert_eq!(h.len(), 10);
        let counts: Vec<u64> = h.iter().map(|b| b.count).collect();
        assert_eq!(counts, vec![0, 0, 0, 0, 1, 1, 3, 1, 0, 0]);
        assert_eq!((h[4].from, h[4].to), (40, 50));
        let rates = section_rates(&results);
        assert_eq!(rates.len(), 1);
        assert_eq!((rates[0].sat, rates[0].passed), (6, 5));
        assert_eq!(rates[0].pass_rate, "83.33");
        let e = exam_figures(&ExamInput {
            code: "V1".into(),
            name: "Vòng 1".into(),
            stage: "round1".into(),
            results,
        });
        assert_eq!((e.graded, e.passed, e.pass_rate.as_str()), (6, 5, "83.33"));
    }

    #[test]
    fn exempt_sections_count_neither_in_the_histogram_nor_in_the_rates() {
        let mut p = paper(&[
            ("KTC", dec!(45), dec!(60), true),
            ("NN", dec!(0), dec!(30), false),
        ]);
        p.sections[1].exempt = true;
        assert_eq!(histogram(&[p.clone()])[7].count, 1, "45/60 = 75 %");
        let rates = section_rates(&[p]);
        assert_eq!(rates.len(), 1);
        assert_eq!(rates[0].code, "KTC");
    }

    #[test]
    fn rates_and_ratios_are_exact_to_two_places() {
        assert_eq!(percent(2, 3), "66.67");
        assert_eq!(percent(1, 8), "12.50");
        assert_eq!(percent(0, 0), "0.00");
        assert_eq!(ratio(18, 3), "6.00");
        assert_eq!(ratio(10, 3), "3.33");
        assert_eq!(ratio(5, 0), "0.00");
        let p = position_figures(&PositionInput {
            code: "CV".into(),
            name: "Chuyên viên".into(),
            quota: 2,
            applicants: 7,
            eligible: 6,
            winners: 2,
        });
        assert_eq!(p.competition_ratio, "3.50");
    }
}
