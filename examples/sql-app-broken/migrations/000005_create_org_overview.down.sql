DROP VIEW org_overview;
