//! The facade's contractor and payout actions: ids or numbers (`PO-0001`) in, one store
//! transaction per action, the acting OS user recorded in the payout's history.

use super::Paydesk;
use crate::error::{Error, Result};
use crate::store::Store;

impl Paydesk {
    /// Who acts in this app (recorded in payout histories): the OS user name.
    pub fn actor() -> String {
        std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .ok()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| "you".to_string())
    }

    /// Contractors whose name or email contains `search`.
    pub fn list_contractors(
        &mut self,
        search: Option<&str>,
    ) -> Result<Vec<crate::domain::Contractor>> {
        self.store.list_contractors(search)
    }

    /// A contractor and its address history.
    pub fn contractor(&mut self, id: &str) -> Result<crate::domain::ContractorDetail> {
        self.store.contractor(id)
    }

    /// Add a contractor.
    pub fn create_contractor(
        &mut self,
        input: &crate::domain::ContractorInput,
    ) -> Result<crate::domain::Contractor> {
        self.store.create_contractor(input)
    }

    /// Change a contractor; a new address needs `confirm_address_change`.
    pub fn update_contractor(
        &mut self,
        id: &str,
        input: &crate::domain::ContractorInput,
        confirm_address_change: bool,
    ) -> Result<crate::domain::Contractor> {
        self.store
            .update_contractor(id, input, confirm_address_change)
    }

    /// The creator wallets that sign payouts.
    pub fn payout_settings(&mut self) -> Result<crate::domain::PayoutSettings> {
        self.store.payout_settings()
    }

    /// Save the creator wallets.
    pub fn set_payout_settings(
        &mut self,
        input: &crate::domain::PayoutSettings,
    ) -> Result<crate::domain::PayoutSettings> {
        self.store.set_payout_settings(input)
    }

    /// A new draft payout.
    pub fn create_payout(
        &mut self,
        input: &crate::domain::PayoutInput,
    ) -> Result<crate::domain::Payout> {
        self.store.create_payout(input, &Paydesk::actor())
    }

    /// Change a draft payout.
    pub fn update_payout(
        &mut self,
        id: &str,
        input: &crate::domain::PayoutInput,
    ) -> Result<crate::domain::Payout> {
        self.store.update_payout(id, input, &Paydesk::actor())
    }

    /// A payout by id or number (`PO-0001`).
    pub fn payout(&mut self, id_or_number: &str) -> Result<crate::domain::Payout> {
        let id = self.payout_id(id_or_number)?;
        self.store.payout(&id)
    }

    fn payout_id(&mut self, id_or_number: &str) -> Result<String> {
        let key = id_or_number.trim();
        if let Some(seq) = key
            .strip_prefix("PO-")
            .or_else(|| key.strip_prefix("po-"))
            .and_then(|n| n.parse::<i64>().ok())
        {
            let found: Option<String> = {
                use rusqlite::OptionalExtension;
                self.store
                    .connection()
                    .query_row("SELECT id FROM payouts WHERE seq = ?1", [seq], |r| r.get(0))
                    .optional()?
            };
            return found.ok_or_else(|| Error::NotFound {
                what: "payout",
                id: key.to_string(),
            });
        }
        Ok(key.to_string())
    }

    /// Mark the payout as being looked at: its link is polled every 10 s for ten minutes.
    pub fn watch_payout(&mut self, id_or_number: &str) -> Result<()> {
        let id = self.payout_id(id_or_number)?;
        let until = self.clock.now() + chrono::Duration::minutes(10);
        self.store.watch_payout(&id, until)
    }

    /// Payouts in `state` (or all), newest first.
    pub fn list_payouts(
        &mut self,
        state: Option<crate::domain::PayoutState>,
    ) -> Result<Vec<crate::domain::PayoutSummary>> {
        self.store.list_payouts(state)
    }

    /// What to check before approving.
    pub fn review_payout(&mut self, id_or_number: &str) -> Result<crate::domain::PayoutReview> {
        let id = self.payout_id(id_or_number)?;
        self.store.review_payout(&id)
    }

    /// Approve a draft for the reviewed `address`; its link is created in the background.
    pub fn approve_payout(
        &mut self,
        id_or_number: &str,
        address: &str,
    ) -> Result<crate::domain::Payout> {
        let id = self.payout_id(id_or_number)?;
        let now = self.clock.now();
        self.store
            .approve_payout(&id, address, &Paydesk::actor(), now)
    }

    /// Cancel a payout whose link was not opened.
    pub fn cancel_payout(&mut self, id_or_number: &str) -> Result<crate::domain::Payout> {
        let id = self.payout_id(id_or_number)?;
        self.store.cancel_payout(&id, &Paydesk::actor())
    }

    /// The payout's live link, recorded as opened (hand its URL to the OS opener).
    pub fn open_payout_link(&mut self, id_or_number: &str) -> Result<crate::domain::PayoutLink> {
        let id = self.payout_id(id_or_number)?;
        // Check the URL before recording that it was opened.
        if let Some(link) = self.store.payout(&id)?.link {
            crate::domain::openable_url("link", &link.url, self.mode)?;
        }
        self.store.open_payout_link(&id, &Paydesk::actor())
    }

    /// Combine live EVM payouts on one network into one batch link (sent in the background).
    pub fn batch_payouts(&mut self, ids_or_numbers: &[String]) -> Result<crate::domain::Batch> {
        let ids = ids_or_numbers
            .iter()
            .map(|k| self.payout_id(k))
            .collect::<Result<Vec<_>>>()?;
        self.store.request_batch(&ids, &Paydesk::actor())
    }

    /// A payout sender for this mode's books, on its own connection.
    pub fn payout_sender(&self) -> Result<crate::payout_sender::PayoutSender> {
        Ok(crate::payout_sender::PayoutSender::from_store(
            Store::open_with_clock(self.store.path(), self.clock.clone())?,
        ))
    }
}
