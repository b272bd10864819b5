CREATE VIEW org_overview AS
SELECT o.id,
       o.name,
       count(DISTINCT u.id) AS users,
       count(DISTINCT p.id) FILTER (WHERE p.archived_at IS NULL) AS live_projects,
       max(u.last_seen_at) AS last_activity_at
FROM orgs o
LEFT JOIN users u ON u.org_id = o.id
LEFT JOIN projects p ON p.org_id = o.id
GROUP BY o.id, o.name;
