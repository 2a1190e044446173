# models/rss.mk -- (to be filled in by the rss model).
