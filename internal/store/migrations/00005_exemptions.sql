-- What an exemption application asks for and from when.

-- +goose Up
ALTER TABLE exemption_applications ADD COLUMN kind TEXT NOT NULL DEFAULT '';
ALTER TABLE exemption_applications ADD COLUMN period_from DATE;

-- +goose Down
ALTER TABLE exemption_applications DROP COLUMN period_from;
ALTER TABLE exemption_applications DROP COLUMN kind;
