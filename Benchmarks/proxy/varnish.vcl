# Varnish in front of the static upstream: /api/books/ cached for a day, /api/live/ passed (the
# "forward" runs). X-Cache says HIT or MISS. @...@ are filled in by run.sh.
vcl 4.1;

backend origin {
  .host = "127.0.0.1";
  .port = "@UPSTREAM@";
}

sub vcl_recv {
  if (req.url ~ "^/api/live/") {
    return (pass);
  }
}

sub vcl_backend_response {
  if (!bereq.uncacheable) {
    set beresp.ttl = 1d;
  }
}

sub vcl_deliver {
  if (obj.hits > 0) {
    set resp.http.X-Cache = "HIT";
  } else {
    set resp.http.X-Cache = "MISS";
  }
}
