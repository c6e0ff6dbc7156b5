package integration

import (
	"strings"
	"testing"
)

func TestCheckRouting(t *testing.T) {
	t.Parallel()
	off := false
	mk := func(name, orgs string, sources []string, mapped ...string) Settings {
		if orgs == "" {
			orgs = OrganizationsAll // a routing section, as every case but "no routing section" has
		}
		s := Settings{Name: name, Routing: Routing{Organizations: orgs, Sources: sources}}
		for _, o := range mapped {
			s.Companies.Map = append(s.Companies.Map, Mapping{Organization: o, Company: Pick{Name: "C " + o}})
		}
		return s
	}
	disabled := mk("b", "", nil, "org-42")
	disabled.Enabled = &off
	orgOff := mk("b", OrganizationsMapped, nil, "org-42")
	orgOff.Companies.Map[0].Enabled = &off
	tests := []struct {
		name   string
		s      Settings
		others []Settings
		want   []string // substrings, one per problem
	}{
		{"alone", mk("a", "", nil, "org-42"), nil, nil},
		{"disjoint, one catch-all", mk("a", OrganizationsMapped, nil, "org-42"), []Settings{mk("b", "", nil, "org-55")}, nil},
		{"same organization mapped twice", mk("a", OrganizationsMapped, nil, "org-42"), []Settings{mk("b", "", nil, "ORG-42 ")},
			[]string{`organization org-42 is also mapped in integration "b"`}},
		{"two catch-alls", mk("a", "", nil), []Settings{mk("b", OrganizationsAll, nil)},
			[]string{`integration "b" also takes organizations it has not mapped`}},
		{"split by source", mk("a", "", []string{"guardz"}, "org-42"), []Settings{mk("b", "", []string{"saas-alerts"}, "org-42")}, nil},
		{"the other disabled", mk("a", "", nil, "org-42"), []Settings{disabled}, nil},
		{"the organization disabled there", mk("a", OrganizationsMapped, nil, "org-42"), []Settings{orgOff}, nil},
		{"itself by name", mk("a", "", nil, "org-42"), []Settings{mk("a", "", nil, "org-42")}, nil},
		{"no routing section there", mk("a", "", nil, "org-42"), []Settings{{Name: "b", Companies: Companies{Map: []Mapping{{Organization: "org-42"}}}}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := CheckRouting(tt.s, tt.others)
			var got []Problem
			if ve, ok := err.(*ValidationError); ok {
				got = ve.Problems
			} else if err != nil {
				t.Fatalf("err = %v, want a ValidationError", err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("problems = %v, want %d", got, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i].Message, w) {
					t.Errorf("problem %d = %q, want it to hold %q", i, got[i].Message, w)
				}
			}
		})
	}
}

func TestValidateRouting(t *testing.T) {
	t.Parallel()
	var ps problems
	validateRouting(&ps, &Routing{Organizations: "some", Sources: []string{"a", " ", "A"}})
	want := []string{"routing.organizations", "routing.sources[1]", "routing.sources[2]"}
	if len(ps) != len(want) {
		t.Fatalf("problems = %v, want %v", ps, want)
	}
	for i, p := range ps {
		if p.Path != want[i] {
			t.Errorf("problem %d at %s, want %s", i, p.Path, want[i])
		}
	}
}
