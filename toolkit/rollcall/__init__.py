"""UN roll calls: reading published roll calls, state names to ISO codes, UN membership on a date."""
