package web

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
)

// orgStatuses are the mapping statuses an organization can have under an
// integration, in the order the filters offer them.
var orgStatuses = []string{"mapped", "auto_matched", "catch_all", "ignored", "disabled"}

// orgView is an organization as GET /api/v1/organizations lists it.
type orgView struct {
	Key          string `json:"key"`
	Name         string `json:"name"`
	Origin       string `json:"origin"`
	Integrations []struct {
		Integration string `json:"integration"`
		Status      string `json:"status"`
		Company     string `json:"company"`
	} `json:"integrations"`
}

// Label is how a page names the organization: its name, else its key.
func (o orgView) Label() string {
	if o.Name != "" {
		return o.Name
	}
	return o.Key
}

// orgPage is one page of GET /api/v1/organizations.
type orgPage struct {
	Organizations []orgView `json:"organizations"`
	NextCursor    string    `json:"next_cursor"`
	Warnings      []string  `json:"warnings"`
}

// proposal is one auto-match proposal: an organization not mapped and
// the company of its exact name.
type proposal struct {
	Organization     string `json:"organization"`
	OrganizationName string `json:"organization_name"`
	Status           string `json:"status"`
	Company          string `json:"company"`
	CompanyID        string `json:"company_id"`
}

// company is one PSA company as the companies route lists it.
type company struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// listOrgs reads one page of the tenant's organizations.
func (c *Console) listOrgs(ctx context.Context, sess *session, q url.Values) (orgPage, error) {
	var page orgPage
	err := c.call(ctx, sess, "GET", "/api/v1/organizations?"+q.Encode(), nil, &page)
	return page, err
}

// maxOrgPages bounds how many pages of 500 the wizard reads: its status
// filter is worked out here, from the draft, so it needs every
// organization the search leaves, not a page of them.
const maxOrgPages = 40

// allOrgs reads every organization whose name or key holds search,
// alphabetically, as the API orders them.
func (c *Console) allOrgs(ctx context.Context, sess *session, search, integrationName string) ([]orgView, []string, error) {
	q := url.Values{"limit": {"500"}}
	if search != "" {
		q.Set("q", search)
	}
	if integrationName != "" {
		q.Set("integration", integrationName)
	}
	var all []orgView
	var warnings []string
	for range maxOrgPages {
		page, err := c.listOrgs(ctx, sess, q)
		if err != nil {
			return all, warnings, err
		}
		all, warnings = append(all, page.Organizations...), append(warnings, page.Warnings...)
		if page.NextCursor == "" {
			return all, warnings, nil
		}
		q.Set("cursor", page.NextCursor)
	}
	return all, append(warnings, fmt.Sprintf("only the first %d organizations are listed: search to narrow them", len(all))), nil
}

// companies lists the PSA's companies whose name holds search, read with
// body: the draft, or nil for the stored integration.
func (c *Console) companies(ctx context.Context, sess *session, integrationName, search string, limit int, body any) ([]company, int, error) {
	var out struct {
		Companies []company `json:"companies"`
		Total     int       `json:"total"`
	}
	q := url.Values{"limit": {strconv.Itoa(limit)}}
	if search != "" {
		q.Set("search", search)
	}
	path := "/api/v1/integrations/" + url.PathEscape(integrationName) + "/companies?" + q.Encode()
	if err := c.call(ctx, sess, "POST", path, body, &out); err != nil {
		return nil, 0, err
	}
	return out.Companies, out.Total, nil
}

// proposals runs auto-match without accepting: the draft's proposals
// with body, the stored integration's with nil.
func (c *Console) proposals(ctx context.Context, sess *session, integrationName string, body any) ([]proposal, error) {
	var out struct {
		Proposals []proposal `json:"proposals"`
		Ignored   []proposal `json:"ignored"`
	}
	path := "/api/v1/integrations/" + url.PathEscape(integrationName) + "/auto-match"
	if err := c.call(ctx, sess, "POST", path, body, &out); err != nil {
		return nil, err
	}
	// An ignored organization comes as a proposal of no company with the
	// status ignored, so the draft's rows can say why it stays with the
	// catch-all.
	for _, p := range out.Ignored {
		p.Status = "ignored"
		out.Proposals = append(out.Proposals, p)
	}
	return out.Proposals, nil
}
