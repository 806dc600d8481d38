//! The report's charts as inline SVG, drawn here on the server so every client (the staff
//! page, a printout, an integrator) gets the same picture. Accessible: each chart is
//! `role="img"` with a `<title>` and a `<desc>`, and every bar carries its value as text, so
//! nothing depends on colour alone; the palette prints legibly in grey.

use std::fmt::Write;

use super::{ExamFigures, PositionFigures};
use crate::markup::escape as esc;
use crate::rules::Lang;

fn l(lang: Lang, vi: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

const W: f64 = 720.0;
const BLUE: &str = "#2f5d8a";
const ORANGE: &str = "#d98c2b";
const GREEN: &str = "#3b7d4f";

fn open(out: &mut String, id: &str, height: f64, title: &str, desc: &str) {
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{id}" role="img" aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {W} {height}" width="100%" preserveAspectRatio="xMinYMin meet" font-family="sans-serif" font-size="12"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc><rect x="0" y="0" width="{W}" height="{height}" fill="#fff"/>"##,
        esc(title),
        esc(desc)
    );
}

/// A "nice" axis maximum at least `max` (1, 2, 5 × 10^k), never 0.
fn axis_max(max: u64) -> u64 {
    let mut step = 1;
    loop {
        for m in [1, 2, 5] {
            if m * step >= max.max(1) {
                return m * step;
            }
        }
        step *= 10;
    }
}

/// The labelled values of the count axis: even steps from 0 to `max`, each a whole number.
fn ticks(max: u64) -> Vec<u64> {
    let parts = if max.is_multiple_of(4) {
        4
    } else if max.is_multiple_of(5) {
        5
    } else {
        max.max(1)
    };
    (0..=parts).map(|i| max * i / parts).collect()
}

/// Where a chart with a count axis plots: its margins and the height of the plot.
struct Frame {
    left: f64,
    right: f64,
    top: f64,
    plot_h: f64,
}

/// The horizontal grid of a count axis up to `max`, each line labelled with its count;
/// `line_attrs` are further attributes of the lines.
fn count_grid(out: &mut String, max: u64, f: &Frame, line_attrs: &str) {
    let (left, top, plot_h) = (f.left, f.top, f.plot_h);
    for v in ticks(max) {
        let y = top + plot_h - plot_h * (v as f64) / (max as f64);
        let _ = write!(
            out,
            r##"<line x1="{left}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ccc"{line_attrs}/><text x="{:.1}" y="{:.1}" text-anchor="end" fill="#333">{v}</text>"##,
            W - f.right,
            left - 6.0,
            y + 4.0
        );
    }
}

/// One position's group of bars (value, colour, what it counts), centred at `cx`, each
/// `bar_w` wide on an axis up to `max`, labelled with the position's code below.
fn position_bars(
    out: &mut String,
    code: &str,
    bars: &[(u64, &str, &str)],
    (cx, bar_w, max): (f64, f64, u64),
    f: &Frame,
) {
    let (top, plot_h) = (f.top, f.plot_h);
    let _ = write!(out, r#"<g class="position" data-code="{}">"#, esc(code));
    for (k, &(value, colour, what)) in bars.iter().enumerate() {
        let x = cx - bar_w + bar_w * k as f64;
        let bh = plot_h * (value as f64) / (max as f64);
        let y = top + plot_h - bh;
        let _ = write!(
            out,
            r##"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{bh:.1}" fill="{colour}"><title>{} – {}: {value}</title></rect><text x="{:.1}" y="{:.1}" text-anchor="middle">{value}</text>"##,
            bar_w - 2.0,
            esc(code),
            esc(what),
            x + bar_w / 2.0 - 1.0,
            y - 4.0,
        );
    }
    let _ = write!(
        out,
        r##"<text x="{cx:.1}" y="{:.1}" text-anchor="middle" fill="#000">{}</text></g>"##,
        top + plot_h + 16.0,
        esc(code)
    );
}

/// One bar of a score distribution, `slot` wide from `x`, on a count axis up to `max`, with its
/// count above and its range below.
fn histogram_bar(out: &mut String, b: &super::Bucket, (x, slot, max): (f64, f64, u64), f: &Frame) {
    let (top, plot_h) = (f.top, f.plot_h);
    let bh = plot_h * (b.count as f64) / (max as f64);
    let y = top + plot_h - bh;
    let _ = write!(
        out,
        r##"<g class="bar" data-from="{}" data-count="{}"><title>{}–{} %: {}</title><rect x="{:.1}" y="{y:.1}" width="{:.1}" height="{bh:.1}" fill="{BLUE}"/><text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#000">{}</text><text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#333">{}–{}</text></g>"##,
        b.from,
        b.count,
        b.from,
        b.to,
        b.count,
        x + 4.0,
        slot - 8.0,
        x + slot / 2.0,
        y - 4.0,
        b.count,
        x + slot / 2.0,
        top + plot_h + 16.0,
        b.from,
        b.to,
    );
}

/// Bar chart of an exam's score distribution: ten bars over tenths of the maximum score.
pub fn histogram(exam: &ExamFigures, index: usize, lang: Lang) -> String {
    let h = 300.0;
    let (left, right, top, bottom) = (48.0, 16.0, 40.0, 56.0);
    let plot_w = W - left - right;
    let plot_h = h - top - bottom;
    let max = axis_max(exam.histogram.iter().map(|b| b.count).max().unwrap_or(0));
    let title = format!(
        "{} {} – {}",
        l(lang, "Phổ điểm", "Score distribution"),
        exam.code,
        exam.name
    );
    let bars: Vec<String> = exam
        .histogram
        .iter()
        .map(|b| format!("{}–{} %: {}", b.from, b.to, b.count))
        .collect();
    let desc = format!(
        "{} {}. {}",
        exam.graded,
        l(lang, "bài đã chấm", "graded papers"),
        bars.join("; ")
    );
    let mut out = String::new();
    open(
        &mut out,
        &format!("chart-histogram-{index}"),
        h,
        &title,
        &desc,
    );
    let _ = write!(
        out,
        r#"<text x="{left}" y="20" font-size="14" font-weight="bold">{}</text>"#,
        esc(&title)
    );
    // Horizontal grid with the count scale.
    let frame = Frame {
        left,
        right,
        top,
        plot_h,
    };
    count_grid(&mut out, max, &frame, r#" stroke-width="1""#);
    let n = exam.histogram.len().max(1) as f64;
    let slot = plot_w / n;
    for (i, b) in exam.histogram.iter().enumerate() {
        let x = left + slot * i as f64;
        histogram_bar(&mut out, b, (x, slot, max), &frame);
    }
    let _ = write!(
        out,
        r##"<line x1="{left}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#000"/><text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#333">{}</text></svg>"##,
        top + plot_h,
        W - right,
        top + plot_h,
        left + plot_w / 2.0,
        h - 12.0,
        esc(l(
            lang,
            "Điểm theo % điểm tối đa (số bài trên mỗi cột)",
            "Score as % of the maximum (papers per bar)"
        )),
    );
    out
}

/// Horizontal bars: the pass rate of every section of every exam, 0 to 100 %.
pub fn pass_rates(exams: &[ExamFigures], lang: Lang) -> String {
    let rows: Vec<(String, &super::SectionRate)> = exams
        .iter()
        .flat_map(|e| {
            e.sections
                .iter()
                .map(move |s| (format!("{} · {}", e.code, s.code), s))
        })
        .collect();
    let row_h = 28.0;
    let (left, right, top) = (180.0, 150.0, 40.0);
    let h = top + row_h * rows.len().max(1) as f64 + 36.0;
    let plot_w = W - left - right;
    let title = l(lang, "Tỷ lệ đạt theo phần thi", "Pass rate per section");
    let desc: Vec<String> = rows
        .iter()
        .map(|(label, s)| format!("{label}: {} % ({}/{})", s.pass_rate, s.passed, s.sat))
        .collect();
    let mut out = String::new();
    open(&mut out, "chart-pass-rates", h, title, &desc.join("; "));
    let _ = write!(
        out,
        r#"<text x="16" y="20" font-size="14" font-weight="bold">{}</text>"#,
        esc(title)
    );
    if rows.is_empty() {
        let _ = write!(
            out,
            r##"<text x="16" y="{:.1}" fill="#333">{}</text>"##,
            top + 16.0,
            esc(l(
                lang,
                "Chưa có bài thi nào được chấm.",
                "No paper graded yet."
            ))
        );
    }
    for (i, (label, s)) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        let rate: f64 = s.pass_rate.parse().unwrap_or(0.0);
        let bw = plot_w * rate / 100.0;
        let _ = write!(
            out,
            r##"<g class="rate" data-section="{}" data-rate="{}"><text x="{:.1}" y="{:.1}" text-anchor="end" fill="#000">{}</text><rect x="{left}" y="{:.1}" width="{plot_w:.1}" height="{:.1}" fill="#eee"/><rect x="{left}" y="{:.1}" width="{bw:.1}" height="{:.1}" fill="{GREEN}"/><text x="{:.1}" y="{:.1}" fill="#000">{} % ({}/{})</text></g>"##,
            esc(&s.code),
            s.pass_rate,
            left - 8.0,
            y + 16.0,
            esc(label),
            y + 4.0,
            row_h - 10.0,
            y + 4.0,
            row_h - 10.0,
            left + plot_w + 8.0,
            y + 16.0,
            s.pass_rate,
            s.passed,
            s.sat,
        );
    }
    // The 50 % line: the pass mark of round 1 (VN-1).
    let x50 = left + plot_w / 2.0;
    let _ = write!(
        out,
        r##"<line x1="{x50:.1}" y1="{:.1}" x2="{x50:.1}" y2="{:.1}" stroke="#000" stroke-dasharray="4 3"/><text x="{x50:.1}" y="{:.1}" text-anchor="middle" fill="#333">50 %</text></svg>"##,
        top - 4.0,
        h - 30.0,
        h - 14.0
    );
    out
}

/// Grouped bars per position: applicants beside winners.
pub fn applicants_and_winners(positions: &[PositionFigures], lang: Lang) -> String {
    let h = 320.0;
    let (left, right, top, bottom) = (48.0, 16.0, 56.0, 48.0);
    let plot_w = W - left - right;
    let plot_h = h - top - bottom;
    let max = axis_max(
        positions
            .iter()
            .map(|p| p.applicants.max(p.winners))
            .max()
            .unwrap_or(0),
    );
    let title = l(
        lang,
        "Số thí sinh đăng ký và số người trúng tuyển theo vị trí",
        "Applicants and winners per position",
    );
    let (applicants, winners) = (
        l(lang, "Đăng ký", "Applicants"),
        l(lang, "Trúng tuyển", "Winners"),
    );
    let desc: Vec<String> = positions
        .iter()
        .map(|p| {
            format!(
                "{}: {applicants} {}, {winners} {}",
                p.code, p.applicants, p.winners
            )
        })
        .collect();
    let mut out = String::new();
    open(&mut out, "chart-positions", h, title, &desc.join("; "));
    let _ = write!(
        out,
        r##"<text x="{left}" y="20" font-size="14" font-weight="bold">{}</text><rect x="{left}" y="30" width="12" height="12" fill="{BLUE}"/><text x="{:.1}" y="40">{}</text><rect x="{:.1}" y="30" width="12" height="12" fill="{ORANGE}"/><text x="{:.1}" y="40">{}</text>"##,
        esc(title),
        left + 16.0,
        esc(applicants),
        left + 120.0,
        left + 136.0,
        esc(winners),
    );
    let frame = Frame {
        left,
        right,
        top,
        plot_h,
    };
    count_grid(&mut out, max, &frame, "");
    let slot = plot_w / positions.len().max(1) as f64;
    let bar_w = (slot / 3.0).min(60.0);
    for (i, p) in positions.iter().enumerate() {
        let cx = left + slot * i as f64 + slot / 2.0;
        let bars = [
            (p.applicants, BLUE, applicants),
            (p.winners, ORANGE, winners),
        ];
        position_bars(&mut out, &p.code, &bars, (cx, bar_w, max), &frame);
    }
    let _ = write!(
        out,
        r##"<line x1="{left}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#000"/></svg>"##,
        top + plot_h,
        W - right,
        top + plot_h
    );
    out
}

#[cfg(test)]
mod tests {
    use super::super::{Bucket, SectionRate};
    use super::*;

    fn exam() -> ExamFigures {
        ExamFigures {
            code: "V1".into(),
            name: "Kiến thức chung <vòng 1>".into(),
            stage: "round1".into(),
            graded: 6,
            passed: 5,
            pass_rate: "83.33".into(),
            histogram: (0..10)
                .map(|i| Bucket {
                    from: i * 10,
                    to: i * 10 + 10,
                    count: u64::from(i == 6) * 3,
                })
                .collect(),
            sections: vec![SectionRate {
                code: "KTC".into(),
                sat: 6,
                passed: 5,
                pass_rate: "83.33".into(),
            }],
        }
    }

    #[test]
    fn axis_ticks_are_whole_and_distinct() {
        assert_eq!(ticks(1), vec![0, 1]);
        assert_eq!(ticks(2), vec![0, 1, 2]);
        assert_eq!(ticks(5), vec![0, 1, 2, 3, 4, 5]);
        assert_eq!(ticks(10), vec![0, 2, 4, 6, 8, 10]);
        assert_eq!(ticks(20), vec![0, 5, 10, 15, 20]);
        assert_eq!(ticks(200), vec![0, 50, 100, 150, 200]);
    }

    #[test]
    fn axis_maxima_are_round() {
        assert_eq!(axis_max(0), 1);
        assert_eq!(axis_max(3), 5);
        assert_eq!(axis_max(7), 10);
        assert_eq!(axis_max(18), 20);
        assert_eq!(axis_max(101), 200);
    }

    #[test]
    fn the_histogram_is_an_accessible_svg_with_every_value_as_text() {
        let svg = histogram(&exam(), 0, Lang::Vi);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains("<title id=\"chart-histogram-0-title\">Phổ điểm V1 – Kiến thức chung &lt;vòng 1&gt;</title>"));
        assert_eq!(svg.matches(r#"class="bar""#).count(), 10);
        assert!(svg.contains(r#"data-from="60" data-count="3""#));
        assert!(histogram(&exam(), 0, Lang::En).contains("Score distribution"));
    }

    #[test]
    fn pass_rates_and_positions_draw_one_mark_per_figure() {
        let svg = pass_rates(&[exam()], Lang::En);
        assert!(svg.contains(r#"data-section="KTC" data-rate="83.33""#));
        assert!(svg.contains("83.33 % (5/6)"));
        assert!(pass_rates(&[], Lang::Vi).contains("Chưa có bài thi"));
        let positions = vec![PositionFigures {
            code: "CV-1".into(),
            name: "Chuyên viên".into(),
            quota: 2,
            applicants: 6,
            eligible: 6,
            winners: 2,
            competition_ratio: "3.00".into(),
        }];
        let svg = applicants_and_winners(&positions, Lang::Vi);
        assert_eq!(svg.matches(r#"class="position""#).count(), 1);
        assert!(svg.contains("Trúng tuyển"));
        assert!(svg.contains("CV-1 – Đăng ký: 6"));
    }
}
