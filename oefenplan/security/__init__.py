"""Who may sign in and how: allauth's login with a required second factor,
session limits, security headers. See README, "Security"."""
