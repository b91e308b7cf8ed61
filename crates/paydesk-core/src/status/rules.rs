//! The forward-only rule: how one answer moves a link's [`PayState`], and the invoice status
//! that follows from it.
//!
//! - `paid` is final: nothing moves a paid link (a stale 200 or 403 arriving late is recorded
//!   as not applied).
//! - a completed answer (409) makes any link paid, even an expired one (paid just before expiry,
//!   seen late);
//! - a partial amount only grows: an answer with less paid than already seen is stale;
//! - `processing` (a Safe payment in flight) is transient: a later 200 returns the link to open
//!   (or partially paid), never below what was already paid;
//! - 403 expires an unpaid link; an expired link only moves to paid;
//! - 404 changes nothing (the token is unknown to this API: wrong mode or environment).

use std::str::FromStr;

use rust_decimal::Decimal;

use super::{Observation, PayState};
use crate::domain::InvoiceStatus;

/// A link's state as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Current {
    pub state: PayState,
    pub paid: Option<String>,
}

/// What an answer does to a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub state: PayState,
    /// The state or the paid amount changed.
    pub applied: bool,
    /// The paid and left amounts to store (unchanged when not applied).
    pub paid: Option<String>,
    pub left: Option<String>,
}

fn amount(s: &Option<String>) -> Option<Decimal> {
    s.as_deref().and_then(|s| Decimal::from_str(s).ok())
}

/// Apply `obs` to `current`.
pub fn advance(current: &Current, obs: &Observation) -> Outcome {
    let keep = |applied: bool, state: PayState| Outcome {
        state,
        applied,
        paid: current.paid.clone(),
        left: None,
    };
    use PayState as S;
    match (current.state, obs) {
        (S::Paid, _) => keep(false, S::Paid),
        (_, Observation::Paid { .. }) => Outcome {
            state: S::Paid,
            applied: true,
            paid: None,
            left: None,
        },
        (S::Expired, _) => keep(false, S::Expired),
        (_, Observation::NotPayable { .. }) => keep(true, S::Expired),
        (_, Observation::Unknown) => keep(false, current.state),
        (S::Processing, Observation::Processing) => keep(false, S::Processing),
        (_, Observation::Processing) => keep(true, S::Processing),
        (state, Observation::Open { paid, left }) => {
            let before = amount(&current.paid);
            let now = amount(paid).filter(|p| *p > Decimal::ZERO);
            match (before, now) {
                (b, Some(n)) if b.is_none_or(|b| n > b) => Outcome {
                    state: S::PartiallyPaid,
                    applied: true,
                    paid: paid.clone(),
                    left: left.clone(),
                },
                _ => {
                    let settled = if before.is_some() {
                        S::PartiallyPaid
                    } else {
                        S::Open
                    };
                    keep(state != settled, settled)
                }
            }
        }
    }
}

/// The invoice status a link's state gives (void and draft invoices are never changed).
pub fn invoice_status(state: PayState) -> InvoiceStatus {
    match state {
        PayState::Paid => InvoiceStatus::Paid,
        PayState::PartiallyPaid => InvoiceStatus::PartiallyPaid,
        PayState::Expired => InvoiceStatus::Expired,
        PayState::None | PayState::Open | PayState::Processing => InvoiceStatus::Issued,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(state: PayState, paid: Option<&str>) -> Current {
        Current {
            state,
            paid: paid.map(str::to_string),
        }
    }
    fn open(paid: Option<&str>) -> Observation {
        Observation::Open {
            paid: paid.map(str::to_string),
            left: None,
        }
    }

    #[test]
    fn paid_is_final_whatever_arrives_late() {
        for obs in [
            open(None),
            open(Some("5")),
            Observation::Processing,
            Observation::NotPayable {
                message: "expired".into(),
            },
            Observation::Unknown,
        ] {
            let o = advance(&at(PayState::Paid, None), &obs);
            assert_eq!((o.state, o.applied), (PayState::Paid, false), "{obs:?}");
        }
    }

    #[test]
    fn partial_amounts_only_grow() {
        let o = advance(&at(PayState::Open, None), &open(Some("40")));
        assert_eq!((o.state, o.applied), (PayState::PartiallyPaid, true));
        let stale = advance(&at(PayState::PartiallyPaid, Some("60")), &open(Some("40")));
        assert_eq!(
            (stale.state, stale.applied),
            (PayState::PartiallyPaid, false)
        );
        assert_eq!(stale.paid.as_deref(), Some("60"));
        let none = advance(&at(PayState::PartiallyPaid, Some("60")), &open(None));
        assert_eq!((none.state, none.applied), (PayState::PartiallyPaid, false));
    }

    #[test]
    fn processing_is_transient_and_expiry_only_yields_to_paid() {
        let p = advance(&at(PayState::Open, None), &Observation::Processing);
        assert_eq!((p.state, p.applied), (PayState::Processing, true));
        let back = advance(&at(PayState::Processing, None), &open(None));
        assert_eq!((back.state, back.applied), (PayState::Open, true));
        let expired = advance(
            &at(PayState::PartiallyPaid, Some("1")),
            &Observation::NotPayable {
                message: "x".into(),
            },
        );
        assert_eq!(expired.state, PayState::Expired);
        assert!(!advance(&at(PayState::Expired, None), &open(None)).applied);
        let late_paid = advance(
            &at(PayState::Expired, None),
            &Observation::Paid { tx_hash: None },
        );
        assert_eq!((late_paid.state, late_paid.applied), (PayState::Paid, true));
    }
}
