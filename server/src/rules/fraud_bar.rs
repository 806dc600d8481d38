//! The fraud bar (VN-16 amended): a candidate struck off for a falsified application (Form 01)
//! or invalid diplomas, certificates or attestations has no application accepted in the same
//! recruiting authority's next round. A person is known by their citizen ID; an old 9-digit ID
//! card linked to it is the same person. An exam-room sanction alone never bars.

use crate::rules::rank::StrikeCause;

/// The identity numbers a person applied with: their national ID, and the old ID card linked
/// to it, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity<'a> {
    pub national_id: &'a str,
    pub linked_national_id: Option<&'a str>,
}

impl<'a> Identity<'a> {
    fn numbers(&self) -> Vec<&'a str> {
        std::iter::once(self.national_id)
            .chain(self.linked_national_id)
            .filter(|n| !n.is_empty())
            .collect()
    }

    /// Whether the two name the same person: they share a number, whichever of the two each
    /// gave as the main one.
    pub fn same_person(&self, other: &Identity<'_>) -> bool {
        let theirs = other.numbers();
        self.numbers().iter().any(|n| theirs.contains(n))
    }
}

/// Whether `applicant` is barred by the strike-offs of the authority's previous round, each
/// with its cause and the identity it was recorded under.
pub fn barred_by<'s>(
    applicant: &Identity<'_>,
    previous_round_strike_offs: impl IntoIterator<Item = (StrikeCause, Identity<'s>)>,
) -> bool {
    previous_round_strike_offs
        .into_iter()
        .any(|(cause, struck)| cause.bars_next_round() && struck.same_person(applicant))
}

#[cfg(test)]
mod tests {
    use super::*;

    const W_NEW: &str = "031090001234";
    const W_OLD: &str = "031000123";

    fn w_in_r1() -> Identity<'static> {
        Identity {
            national_id: W_NEW,
            linked_national_id: Some(W_OLD),
        }
    }

    #[test]
    fn e14_a_false_diploma_bars_both_ids_of_the_person_in_the_next_round() {
        let struck = [(StrikeCause::InvalidDocuments, w_in_r1())];
        for applicant in [
            Identity {
                national_id: W_NEW,
                linked_national_id: None,
            },
            Identity {
                national_id: W_OLD,
                linked_national_id: None,
            },
            Identity {
                national_id: "031090009999",
                linked_national_id: Some(W_OLD),
            },
        ] {
            assert!(barred_by(&applicant, struck), "{applicant:?}");
        }
        let someone_else = Identity {
            national_id: "031090005555",
            linked_national_id: None,
        };
        assert!(!barred_by(&someone_else, struck));
    }

    #[test]
    fn vn_16_a_falsified_application_bars_too() {
        let struck = [(StrikeCause::Fraud, w_in_r1())];
        assert!(barred_by(&w_in_r1(), struck));
    }

    #[test]
    fn vn_16_declining_or_a_late_dossier_does_not_bar() {
        for cause in [StrikeCause::Declined, StrikeCause::NoDossier] {
            assert!(!barred_by(&w_in_r1(), [(cause, w_in_r1())]), "{cause:?}");
        }
    }

    #[test]
    fn vn_16_an_old_id_linked_by_the_struck_candidate_only_is_still_the_same_person() {
        let struck_with_old_id_only = Identity {
            national_id: W_OLD,
            linked_national_id: None,
        };
        assert!(barred_by(
            &w_in_r1(),
            [(StrikeCause::Fraud, struck_with_old_id_only)]
        ));
    }
}
