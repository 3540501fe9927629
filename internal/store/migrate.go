package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate brings the schema up to date. On PostgreSQL a session lock keeps two
// processes starting at once from migrating together.
func (db *DB) Migrate(ctx context.Context) (applied int, err error) {
	p, err := db.migrator()
	if err != nil {
		return 0, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrate %s: %w", db.display, err)
	}
	return len(res), nil
}

// MigrationStatus lists the migrations and whether each is applied.
func (db *DB) MigrationStatus(ctx context.Context) ([]string, error) {
	p, err := db.migrator()
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range st {
		out = append(out, fmt.Sprintf("%05d %-10s %s", s.Source.Version, s.State, s.Source.Path))
	}
	return out, nil
}

func (db *DB) migrator() (*goose.Provider, error) {
	fsys, err := db.dialect.migrationFS(migrations)
	if err != nil {
		return nil, err
	}
	gd := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if db.dialect == postgresDialect {
		gd = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	opts = append(opts, goose.WithDisableGlobalRegistry(true))
	sub, err := fs.Sub(fsys, "migrations")
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(gd, db.sql, sub, opts...)
}
