"""Golden items: cases with a known answer placed in live queues, and how reviewers did on them."""
