"""Use cases: the only API the UI and batch jobs call. Ids and plain values in, read models out."""
