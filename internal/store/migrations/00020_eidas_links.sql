-- Four-eyes linking of eIDAS identities (issue 17, "Security hardening"):
-- a staff member proposes that an eIDAS identity is a customer, with a
-- reason; a second staff member approves it, and only then the identity's
-- sign-ins act for the customer (persons.linked_person_id). A waiting
-- proposal can be withdrawn; an approved link can be undone, with a reason.
-- Staff IDs are kept for the audit; the customer sees unit and role only.

-- +goose Up
CREATE TABLE eidas_links (
    id              TEXT PRIMARY KEY,
    eidas_person_id TEXT NOT NULL REFERENCES persons (id),
    person_id       TEXT NOT NULL REFERENCES persons (id),
    status          TEXT NOT NULL,
    reason          TEXT NOT NULL,
    proposed_by     TEXT NOT NULL,
    proposed_at     TIMESTAMPTZ NOT NULL,
    decided_by      TEXT NOT NULL DEFAULT '',
    decided_at      TIMESTAMPTZ,
    undo_reason     TEXT NOT NULL DEFAULT '',
    undone_by       TEXT NOT NULL DEFAULT '',
    undone_at       TIMESTAMPTZ
);
-- At most one waiting proposal per eIDAS identity.
CREATE UNIQUE INDEX eidas_links_one_waiting ON eidas_links (eidas_person_id) WHERE status = 'proposed';
CREATE INDEX eidas_links_status ON eidas_links (status, proposed_at, id);
CREATE INDEX eidas_links_person ON eidas_links (person_id, proposed_at);

-- Links made by one person before four eyes stand as approved links, so
-- that they can be listed and undone; their proposer and approver are
-- unknown here (the audit log has who linked, as staff.link_eidas).
INSERT INTO eidas_links (id, eidas_person_id, person_id, status, reason, proposed_by, proposed_at, decided_at)
SELECT 'before-four-eyes-' || id, id, linked_person_id, 'approved', 'Linked before four eyes', '', created_at, created_at
FROM persons WHERE linked_person_id IS NOT NULL;

-- +goose Down
DROP TABLE eidas_links;
