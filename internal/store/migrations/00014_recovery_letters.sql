-- Recovery decisions that take effect and letters that reach the customer.
-- interest_free holds the periods approved exemptions free from interest
-- (JSON, recovery.FreePeriod). A letter is what the Centre sent the
-- customer about a claim: a decision, a reminder, a lapsed plan or a
-- transfer to enforcement; content is its text's data (JSON,
-- recovery.Letter) in the language it was written for, and
-- notice_channel how the customer was told of it ('' when not at all).

-- +goose Up
ALTER TABLE claims ADD COLUMN interest_free TEXT NOT NULL DEFAULT '';
CREATE TABLE recovery_letters (
    id             TEXT PRIMARY KEY,
    person_id      TEXT NOT NULL REFERENCES persons (id),
    claim_id       TEXT NOT NULL REFERENCES claims (id),
    kind           TEXT NOT NULL,
    on_date        DATE NOT NULL,
    lang           TEXT NOT NULL,
    content        TEXT NOT NULL,
    notice_channel TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX recovery_letters_claim ON recovery_letters (person_id, claim_id, created_at);

-- +goose Down
DROP TABLE recovery_letters;
ALTER TABLE claims DROP COLUMN interest_free;
