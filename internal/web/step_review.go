package web

import (
	"net/http"
)

// reviewStep shows the plan apply would print for the draft, through the
// API's dry run, and offers Save.
var reviewStep = wizardStep{
	key: "review", title: "Review and save",
	load: func(c *Console, r *http.Request, sess *session, d *draft) (any, error) {
		if err := d.needName(); err != nil {
			return nil, err
		}
		var plan planView
		if err := c.call(r.Context(), sess, "PUT", d.integrationPath("?dry_run=1"), d.apiBody(), &plan); err != nil {
			return nil, err
		}
		d.Planned = true
		return plan, nil
	},
}
