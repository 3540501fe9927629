-- A student is charged the healthcare fee of a term once.

-- +goose Up
CREATE UNIQUE INDEX claims_person_term ON claims (person_id, kind, term) WHERE term <> '';

-- +goose Down
DROP INDEX claims_person_term;
