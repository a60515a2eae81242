"""gunicorn settings read from the working folder: access lines without query strings or
referrers, which may carry search text (PHI). Only used when access logging is turned on."""

# host, user, time, method, path without the query (%(U)s), protocol, status, bytes, agent
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s "%(a)s"'
