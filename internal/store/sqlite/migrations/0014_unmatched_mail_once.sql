-- 0014_unmatched_mail_once: a mail is kept as unmatched once per source,
-- by its Message-ID. Two polls of one mailbox (two replicas, or a poll
-- overlapping the last before a message is flagged seen) and a sender's
-- retry of a message we refused for the moment each read it again; the
-- copies are the same mail. Copies kept before this are removed, the
-- first one staying.
DELETE FROM unmatched_mail
WHERE message_id <> ''
  AND id NOT IN (SELECT MIN(id) FROM unmatched_mail WHERE message_id <> '' GROUP BY tenant_id, source_id, message_id);
CREATE UNIQUE INDEX unmatched_mail_message ON unmatched_mail (tenant_id, source_id, message_id) WHERE message_id <> '';
