-- A payment's person is its benefit's person. On PostgreSQL one foreign
-- key over both columns says so, in place of the two that checked each
-- column alone: every foreign key is a trigger that looks up and locks its
-- parent row for each payment inserted, a third of a payment run's
-- insert (issue 13, docs/benchmarks.md), and the person's key is implied
-- by the benefit's (benefits.person_id references persons). Stronger than
-- before: a payment can no longer name a person other than its benefit's.
-- SQLite checks a foreign key with an index lookup in the same process and
-- keeps its schema (changing a key there rebuilds the table); the storetest
-- invariants check the pair on both.

-- +goose Up
-- +etuus postgres
CREATE UNIQUE INDEX benefits_id_person ON benefits (id, person_id);
ALTER TABLE payments ADD CONSTRAINT payments_benefit_person_fkey
    FOREIGN KEY (benefit_id, person_id) REFERENCES benefits (id, person_id);
ALTER TABLE payments DROP CONSTRAINT payments_benefit_id_fkey, DROP CONSTRAINT payments_person_id_fkey;
-- +etuus end
-- +etuus sqlite
SELECT 1;
-- +etuus end

-- +goose Down
-- +etuus postgres
ALTER TABLE payments ADD CONSTRAINT payments_person_id_fkey FOREIGN KEY (person_id) REFERENCES persons (id),
    ADD CONSTRAINT payments_benefit_id_fkey FOREIGN KEY (benefit_id) REFERENCES benefits (id);
ALTER TABLE payments DROP CONSTRAINT payments_benefit_person_fkey;
DROP INDEX benefits_id_person;
-- +etuus end
-- +etuus sqlite
SELECT 1;
-- +etuus end
