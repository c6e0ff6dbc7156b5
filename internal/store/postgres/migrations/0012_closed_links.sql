-- 0012_closed_links: the reopen window asks, for each new group's first
-- alert, for the group's link closed last within the window. Without
-- this index that read walks every link of the integration.
CREATE INDEX ticket_links_closed_group ON ticket_links (integration_id, company_id, group_key, closed_at)
    WHERE state = 'closed';
