-- Failed logins are also counted per source address (LoginFailureRepository): an address has rows for a
-- bounded number of names plus one row ('*') for all others, and every failure deletes a few expired rows.
-- The key leads with the address, so one index serves an address's rows and a single name's row; the
-- window index finds the expired rows oldest first.
alter table login_failure drop constraint login_failure_pkey;
alter table login_failure add primary key (source_address, account_name);
create index login_failure_by_window on login_failure (window_started_at);
