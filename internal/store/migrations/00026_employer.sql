-- Employer e-services (internal/employer): an organisation's applications
-- for the reimbursement of daily allowance it paid as salary. org_id is the
-- employer's business ID (organisations.business_id); employee_hetu the
-- identity code the employer gave, by which the employee sees it.

-- +goose Up
CREATE TABLE employer_applications (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organisations (business_id),
    benefit       TEXT NOT NULL,
    employee_hetu TEXT NOT NULL,
    period_start  DATE NOT NULL,
    period_end    DATE NOT NULL,
    salary_cents  BIGINT NOT NULL CHECK (salary_cents > 0),
    iban          TEXT NOT NULL,
    status        TEXT NOT NULL,
    amount_cents  BIGINT NOT NULL DEFAULT 0 CHECK (amount_cents >= 0 AND amount_cents <= salary_cents),
    reason        TEXT NOT NULL DEFAULT '',
    submitted_by  TEXT NOT NULL REFERENCES persons (id),
    created_at    TIMESTAMPTZ NOT NULL,
    decided_at    TIMESTAMPTZ,
    decided_by    TEXT NOT NULL DEFAULT '',
    CHECK (period_start <= period_end)
);
CREATE INDEX employer_applications_org ON employer_applications (org_id, created_at DESC, id);
CREATE INDEX employer_applications_employee ON employer_applications (employee_hetu, created_at DESC);
CREATE INDEX employer_applications_status ON employer_applications (status, created_at, id);

-- +goose Down
DROP TABLE employer_applications;
