-- 0013_ticket_pages: the tickets list pages through one integration's
-- links in one state, newest first. ticket_links_integration orders them
-- but would walk the links of every other state to fill a page of open
-- ones; with the state in the index a page reads its rows only.
CREATE INDEX ticket_links_integration_state ON ticket_links (integration_id, state, id);
