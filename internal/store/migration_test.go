package store

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"
)

func TestMigrations(t *testing.T) {
	file := &fstest.MapFile{Data: []byte("SELECT 1;")}
	cases := []struct {
		name    string
		files   []string
		want    []int
		wantErr string
	}{
		{"in version order, not name order", []string{"migrations/010_b.sql", "migrations/002_a.sql", "migrations/001_x.sql"}, []int{1, 2, 10}, ""},
		{"other files are not migrations", []string{"migrations/001_a.sql", "migrations/README", "other/002_b.sql"}, []int{1}, ""},
		{"none", nil, []int{}, ""},
		{"two files with one version", []string{"migrations/005_a.sql", "migrations/005_b.sql"}, nil, "migrations 005_a.sql and 005_b.sql have the same version 5"},
		{"same version written two ways", []string{"migrations/5_a.sql", "migrations/005_b.sql"}, nil, "have the same version 5"},
		{"no version", []string{"migrations/initial.sql"}, nil, "migration initial.sql does not start with a version number"},
		{"version zero", []string{"migrations/000_a.sql"}, nil, "does not start with a version number"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for _, f := range c.files {
				fsys[f] = file
			}
			got, err := Migrations(fsys)
			if c.wantErr != "" {
				require.ErrorContains(t, err, c.wantErr)
				return
			}
			require.NoError(t, err)
			versions := []int{}
			for _, m := range got {
				versions = append(versions, m.Version)
			}
			require.Equal(t, c.want, versions)
		})
	}
}
