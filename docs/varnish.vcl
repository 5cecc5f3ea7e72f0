vcl 4.1;

# Varnish in front of the application servers (docs/deployment.md, "The front cache").
#
# It keeps what the application marks `Cache-Control: public` (the public pages for anonymous visitors,
# lms_pages.cache_headers) for as long as `s-maxage` says, and nothing else. The application purges a
# page when it changes (lms_pages.front_cache, through Wagtail's HTTP purge backend): a PURGE of a path
# drops that path with every query string of it, on that host.

# The application servers; with several, a director (vmod directors) spreads requests over them.
backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 60s;
}

# Who may purge: the application servers and their task workers.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(405, "Not allowed"));
        }
        ban("obj.http.x-cache-host == " + req.http.host + " && obj.http.x-cache-path == " + regsub(req.url, "\?.*$", ""));
        return (synth(200, "Purged"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # The admin, and anyone logged in (their pages carry the user bar), go to the application.
    if (req.url ~ "^/admin(/|$)" || req.http.Authorization || req.http.Cookie ~ "(^|;\s*)sessionid=") {
        return (pass);
    }
    # An anonymous visitor's page depends on neither cookies nor Accept-Language (the address names the
    # language). The cookies are kept aside for a request that goes to the application unshared (below).
    if (req.http.Cookie) {
        set req.http.x-cookie = req.http.Cookie;
        unset req.http.Cookie;
    }
    unset req.http.Accept-Language;
    return (hash);
}

sub vcl_backend_fetch {
    # A page fetched for one visitor only, such as a registration form, gets the visitor's cookies back:
    # the CSRF cookie that the form's token is made for.
    if (bereq.http.x-cookie) {
        if (bereq.uncacheable) {
            set bereq.http.Cookie = bereq.http.x-cookie;
        }
        unset bereq.http.x-cookie;
    }
}

sub vcl_backend_response {
    # What a purge is matched against.
    set beresp.http.x-cache-host = bereq.http.host;
    set beresp.http.x-cache-path = regsub(bereq.url, "\?.*$", "");
    if (bereq.uncacheable) {
        return (deliver);
    }
    if (beresp.http.Cache-Control !~ "public" || beresp.http.Cache-Control ~ "private|no-store" || beresp.http.Set-Cookie) {
        # Not shared: the next requests for this address go straight to the application for two minutes.
        return (pass(120s));
    }
    # Kept for s-maxage, which the application shortens to the next moment that time changes the page
    # (a session starts, registration opens or closes); never served after that.
    set beresp.grace = 0s;
    return (deliver);
}

sub vcl_deliver {
    unset resp.http.x-cache-host;
    unset resp.http.x-cache-path;
    if (obj.hits > 0) {
        set resp.http.X-Cache = "hit";
    } else {
        set resp.http.X-Cache = "miss";
    }
}
