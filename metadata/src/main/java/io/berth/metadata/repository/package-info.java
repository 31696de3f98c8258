/**
 * Queries over the metadata tables, one bean per aggregate. Hot read paths (a manifest by tag, a
 * blob link) are single SQL statements keyed by repository name; writes that may race with another
 * replica's are upserts. Reads return small records; entities stay in this module.
 */
package io.berth.metadata.repository;
