/**
 * Programs get their own website and the landing domains their tracking links may
 * send visitors to (src/modules/programs/landing-domains.ts); until now any http(s)
 * host was accepted, which made every tracking link an open redirect.
 *
 * An upgrade breaks nothing: each existing program is allowed exactly the distinct
 * hosts of the links it already has (as exact hosts, from the stored normalized
 * landing URLs, without a trailing dot), so every link keeps redirecting until its
 * brand changes the list. A program with no links gets an empty list (no new link
 * can be made until the brand sets a website or domains). The website is unknown for
 * existing programs and stays empty; the brand sets it. (The list is sorted by byte
 * value, the same on every server's collation.)
 */
export const landingDomains = {
  id: '0005-landing-domains',
  sql: /* sql */ `
alter table programs add column website_url text;
alter table programs add column landing_domains text[] not null default '{}';

update programs p
   set landing_domains = hosts.list
  from (
    select program_id, array_agg(distinct host order by host) as list
      from (
        select l.program_id,
               rtrim(lower(substring(l.landing_url from '^[A-Za-z][A-Za-z0-9+.-]*://(\\[[^]]*\\]|[^/:?#]*)')), '.') collate "C" as host
          from tracking_links l
      ) found
     where host <> ''
     group by program_id
  ) hosts
 where hosts.program_id = p.id;
`,
};
