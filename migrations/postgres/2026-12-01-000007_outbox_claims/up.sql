-- Who holds a claim on an outgoing email: a random id per claim. A sender records the outcome
-- only while the claim is still its own, so a sender whose claim lapsed cannot overwrite the
-- work of the one that took over.
ALTER TABLE email_outbox ADD COLUMN claim_id TEXT;
