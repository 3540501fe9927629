-- Pages bounded by the person's or the unit's own data (issues "Kela-sized
-- data" and "Audit and monitoring that scale"): every query behind a page
-- or a run's pick reads an index range in the order it returns, not a
-- whole table (docs/benchmarks.md, "At 1,000,000 customers").

-- +goose Up

-- The sent folder: when the customer last wrote in the thread, kept on the
-- thread as each customer message is added, so that the folder is read
-- from an index like the inbox instead of from every thread_message.
ALTER TABLE threads ADD COLUMN customer_message_at TIMESTAMPTZ;
UPDATE threads SET customer_message_at = (SELECT max(m.created_at) FROM thread_messages m
    WHERE m.thread_id = threads.id AND m.author_kind = 'customer');
CREATE INDEX threads_party_sent ON threads (party_kind, party_id, customer_message_at DESC, id DESC)
    WHERE customer_message_at IS NOT NULL;

-- The staff queue: threads_unit (unit_id, status, last_message_at) cannot
-- give the open view (two statuses) in its order; these give each view its
-- order.
CREATE INDEX threads_unit_open ON threads (unit_id, last_message_at DESC, id DESC) WHERE status <> 'closed';
CREATE INDEX threads_unit_closed ON threads (unit_id, last_message_at DESC, id DESC) WHERE status = 'closed';
-- The waiting view and the waiting count: only the threads that wait.
CREATE INDEX threads_unit_waiting ON threads (unit_id, waiting_since, id)
    WHERE waiting_since IS NOT NULL AND status <> 'closed';

-- The recovery queue's overdue claims, oldest due first.
CREATE INDEX claims_due ON claims (due_date, id) WHERE status IN ('open', 'in_plan', 'reminded');

-- The outbox worker's pick of due notices, in the order it takes them.
CREATE INDEX outbox_pending ON outbox (next_at, id) WHERE status = 'pending';

-- +goose Down
DROP INDEX outbox_pending;
DROP INDEX claims_due;
DROP INDEX threads_unit_waiting;
DROP INDEX threads_unit_closed;
DROP INDEX threads_unit_open;
DROP INDEX threads_party_sent;
ALTER TABLE threads DROP COLUMN customer_message_at;
