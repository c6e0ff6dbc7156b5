-- 0010_reserved: holds version 10 for the tenants work, which ships its
-- own 0010 in parallel; numbering has no gaps, so this branch needs the
-- number filled. On merge, delete this file in favour of that 0010.
SELECT 1;
