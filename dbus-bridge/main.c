/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dbus-bridge PRIVATE-ADDRESS HOST-ADDRESS READY-FD [APP-NAME…]
 *
 * Runs inside a jail whose profile has [dbus] own-private (docs/jail.md "A
 * private session bus"), started by dispatch before the first app. The
 * jail's apps talk to a dbus-daemon of the jail's own (PRIVATE-ADDRESS),
 * where they own their application IDs without taking them from the
 * user's apps. We are a client of that bus and of the jail's xdg-dbus-proxy
 * (HOST-ADDRESS): every name the proxy lets the jail see, we own on the
 * private bus, one connection per name, and forward what the apps send it
 * to the proxy, the replies and the signals back. The proxy stays the one
 * peer the host sees and the one filter: we hold no more than the jail
 * does, and run with exactly its confinement.
 *
 * APP-NAMEs are the profile's own-private names, and its own names with
 * "own:" before them (NAME or NAME.*): those are the apps' to own on the
 * private bus, never ours. An own name an app takes there we take on the
 * user's bus too, through the proxy (which allows it), with a connection
 * of its own, and forward the calls made to it to the app, its replies
 * and its signals back: the desktop sees a jailed player's MPRIS name.
 *
 * The desktop portals name a request and a session object after the
 * caller's unique name (/org/freedesktop/portal/desktop/request/SENDER/
 * TOKEN, SENDER without ':' and with '.' as '_'), and an app subscribes to
 * its Response before the call, on the path it computes from its own
 * unique name on the private bus. The portal sees ours on the proxy: such
 * paths are rewritten both ways, in the headers and in the bodies, and a
 * signal on one goes to the app whose handle_token or
 * session_handle_token made it.
 *
 * GDBus parses; its filter functions run in its worker thread and only
 * queue the messages, which the main loop handles in order.
 */
#include <sys/prctl.h>

#include <errno.h>
#include <gio/gio.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PORTAL_REQUEST "/org/freedesktop/portal/desktop/request/"
#define PORTAL_SESSION "/org/freedesktop/portal/desktop/session/"
#define DBUS_NAME      "org.freedesktop.DBus"
#define DBUS_PATH      "/org/freedesktop/DBus"
#define LINKS_MAX      64   /* names bridged: a proxy shows the jail a handful */
#define TOKENS_MAX     1024 /* requests and sessions remembered */

/* One name of the host bus, owned on the private bus by a connection of
 * its own: GDBusProxy sends its calls to the owner's unique name, which
 * then still says which name was meant. */
struct link {
	char *name;
	GDBusConnection *priv;
	char *host_owner; /* its owner's unique name on the host bus, or NULL */
};

/* An own name an app of the jail holds on the private bus, held for it
 * on the user's bus. */
struct export
{
	char *name;
	char *app;             /* its owner on the private bus */
	GDBusConnection *host; /* ours through the proxy, owning NAME there */
	guint signals;         /* the subscription to the app's signals */
	guint filter;          /* export_filter() on HOST */
	/* The list of exports, HOST's filter, the signal subscription, each
	 * queued call and each call awaiting the app's reply hold one: an app
	 * that takes and gives up its name again and again leaves nothing
	 * behind (atomic: the filter takes its refs in GDBus's thread). */
	gint refs;
};

static struct export *
export_ref(struct export *e)
{
	g_atomic_int_inc(&e->refs);
	return e;
}

static void
export_unref(gpointer data)
{
	struct export *e = data;

	if (!g_atomic_int_dec_and_test(&e->refs))
		return;
	g_free(e->app);
	g_free(e->name);
	g_free(e);
}

struct queued {
	GDBusMessage *msg;
	struct link *link;     /* a call to a name of the host's */
	struct export *export; /* a call from the host to an app's name */
	                       /* both NULL: a signal from the host */
};

static struct {
	const char *priv_address;
	const char *host_address;
	GDBusConnection *host;
	GDBusConnection *priv_ctl; /* ours on the private bus, owning nothing */
	GPtrArray *exports;
	char *host_esc; /* our unique name on the host bus, as a path element */
	char **app_names;
	GPtrArray *links;
	GHashTable *tokens; /* "request/TOKEN" or "session/TOKEN" → the app's unique name */
	GMainLoop *loop;
	GMutex lock; /* guards queue and idle_set */
	GQueue queue;
	bool idle_set;
} br;

static void
fail(const char *what, GError *error)
{
	fprintf(stderr, "dbus-bridge: %s: %s\n", what, error != NULL ? error->message : "failed");
	exit(1);
}

/* ":1.42" → "1_42", as the portals name a sender in their paths. */
static char *
sender_escaped(const char *sender)
{
	char *s = g_strdup(sender[0] == ':' ? sender + 1 : sender);

	for (char *p = s; *p != '\0'; p++)
		if (*p == '.')
			*p = '_';
	return s;
}

/* "org.example.App" matches itself; "org.example.*" that and below. */
static bool
pattern_matches(const char *pattern, const char *name)
{
	size_t len = strlen(pattern);

	if (len > 2 && strcmp(pattern + len - 2, ".*") == 0)
		return strncmp(pattern, name, len - 2) == 0 &&
		       (name[len - 2] == '\0' || name[len - 2] == '.');
	return strcmp(pattern, name) == 0;
}

static bool
name_is_apps(const char *name)
{
	for (char **p = br.app_names; *p != NULL; p++)
		if (pattern_matches(g_str_has_prefix(*p, "own:") ? *p + 4 : *p, name))
			return true;
	return false;
}

/* An `own` name, taken on the user's bus for the app; never one an
 * own-private pattern matches too, which stays on the jail's bus (the
 * profile refuses such overlaps: this holds even so). */
static bool
name_is_exported(const char *name)
{
	bool own = false;

	for (char **p = br.app_names; *p != NULL; p++) {
		if (!g_str_has_prefix(*p, "own:")) {
			if (pattern_matches(*p, name))
				return false;
		} else if (pattern_matches(*p + 4, name))
			own = true;
	}
	return own;
}

static struct link *
link_by_name(const char *name)
{
	for (guint i = 0; i < br.links->len; i++) {
		struct link *l = g_ptr_array_index(br.links, i);

		if (strcmp(l->name, name) == 0)
			return l;
	}
	return NULL;
}

static struct link *
link_by_owner(const char *owner)
{
	for (guint i = 0; owner != NULL && i < br.links->len; i++) {
		struct link *l = g_ptr_array_index(br.links, i);

		if (l->host_owner != NULL && strcmp(l->host_owner, owner) == 0)
			return l;
	}
	return NULL;
}

/* When S is a portal request or session path of FROM (PREFIX FROM /TOKEN…),
 * the same path of TO, and in *RET_KEY "request/TOKEN" or "session/TOKEN"
 * when asked; else NULL. */
static char *
portal_path_swap(const char *s, const char *from, const char *to, char **ret_key)
{
	static const char *const prefixes[] = {PORTAL_REQUEST, PORTAL_SESSION};

	for (size_t i = 0; i < G_N_ELEMENTS(prefixes); i++) {
		size_t pl = strlen(prefixes[i]), fl = strlen(from);
		const char *rest;

		if (strncmp(s, prefixes[i], pl) != 0)
			continue;
		if (strncmp(s + pl, from, fl) != 0 || s[pl + fl] != '/')
			return NULL;
		rest = s + pl + fl;
		if (ret_key != NULL)
			*ret_key = g_strdup_printf("%s/%.*s", i == 0 ? "request" : "session",
			                           (int) strcspn(rest + 1, "/"), rest + 1);
		return g_strconcat(prefixes[i], to, rest, NULL);
	}
	return NULL;
}

/* V with every string and object path that is a portal path of FROM made
 * one of TO. Only types that can hold one are walked (not an image's
 * bytes). Returns a new reference. */
static GVariant *
rewrite_value(GVariant *v, const char *from, const char *to)
{
	GVariantBuilder b;
	GVariantIter it;
	GVariant *c;

	if (strpbrk(g_variant_get_type_string(v), "sov") == NULL)
		return g_variant_ref(v);
	if (g_variant_is_of_type(v, G_VARIANT_TYPE_STRING) ||
	    g_variant_is_of_type(v, G_VARIANT_TYPE_OBJECT_PATH)) {
		g_autofree char *n =
		    portal_path_swap(g_variant_get_string(v, NULL), from, to, NULL);

		if (n == NULL)
			return g_variant_ref(v);
		return g_variant_ref_sink(g_variant_is_of_type(v, G_VARIANT_TYPE_STRING)
		                              ? g_variant_new_string(n)
		                              : g_variant_new_object_path(n));
	}
	if (g_variant_is_of_type(v, G_VARIANT_TYPE_VARIANT)) {
		g_autoptr(GVariant) in = g_variant_get_variant(v);
		g_autoptr(GVariant) out = rewrite_value(in, from, to);

		return g_variant_ref_sink(g_variant_new_variant(out));
	}
	if (!g_variant_is_container(v))
		return g_variant_ref(v);
	g_variant_builder_init(&b, g_variant_get_type(v));
	g_variant_iter_init(&it, v);
	while ((c = g_variant_iter_next_value(&it)) != NULL) {
		g_autoptr(GVariant) o = rewrite_value(c, from, to);

		g_variant_builder_add_value(&b, o);
		g_variant_unref(c);
	}
	return g_variant_ref_sink(g_variant_builder_end(&b));
}

static bool
token_valid(const char *t)
{
	if (t[0] == '\0' || strlen(t) > 255)
		return false;
	for (const char *p = t; *p != '\0'; p++)
		if (!g_ascii_isalnum(*p) && *p != '_')
			return false;
	return true;
}

/* Remembers whose request or session each handle_token or
 * session_handle_token of a call names: the Response comes to us. */
static void
record_tokens(GVariant *v, const char *app)
{
	GVariantIter it;
	GVariant *c;

	if (strchr(g_variant_get_type_string(v), 'v') == NULL)
		return;
	if (g_variant_is_of_type(v, G_VARIANT_TYPE("{sv}"))) {
		const char *key;
		g_autoptr(GVariant) val = NULL;
		const char *kind;

		g_variant_get(v, "{&sv}", &key, &val);
		kind = strcmp(key, "handle_token") == 0           ? "request"
		       : strcmp(key, "session_handle_token") == 0 ? "session"
		                                                  : NULL;
		if (kind != NULL && g_variant_is_of_type(val, G_VARIANT_TYPE_STRING) &&
		    token_valid(g_variant_get_string(val, NULL))) {
			if (g_hash_table_size(br.tokens) >= TOKENS_MAX)
				g_hash_table_remove_all(br.tokens);
			g_hash_table_replace(
			    br.tokens,
			    g_strdup_printf("%s/%s", kind, g_variant_get_string(val, NULL)),
			    g_strdup(app));
		}
		return;
	}
	if (!g_variant_is_container(v))
		return;
	g_variant_iter_init(&it, v);
	while ((c = g_variant_iter_next_value(&it)) != NULL) {
		record_tokens(c, app);
		g_variant_unref(c);
	}
}

static void
set_body_rewritten(GDBusMessage *out, GDBusMessage *in, const char *from, const char *to)
{
	GVariant *body = g_dbus_message_get_body(in);

	if (body != NULL) {
		g_autoptr(GVariant) nb = rewrite_value(body, from, to);

		g_dbus_message_set_body(out, nb);
	}
}

static void export_call(struct export *e, GDBusMessage *m);

struct pending {
	GDBusMessage *call;
	struct link *link;
	char *app_esc;
};

static void
call_done(GObject *source, GAsyncResult *res, gpointer data)
{
	struct pending *p = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GDBusMessage) reply = NULL, out = NULL;

	reply = g_dbus_connection_send_message_with_reply_finish(G_DBUS_CONNECTION(source), res,
	                                                         &error);
	if (reply != NULL)
		out = g_dbus_message_copy(reply, &error);
	if (out == NULL)
		out = g_dbus_message_new_method_error_literal(
		    p->call, "org.freedesktop.DBus.Error.NoReply",
		    error != NULL ? error->message : "no reply");
	else {
		g_dbus_message_set_sender(out, NULL);
		g_dbus_message_set_destination(out, g_dbus_message_get_sender(p->call));
		g_dbus_message_set_reply_serial(out, g_dbus_message_get_serial(p->call));
		set_body_rewritten(out, reply, br.host_esc, p->app_esc);
	}
	(void) g_dbus_connection_send_message(p->link->priv, out, G_DBUS_SEND_MESSAGE_FLAGS_NONE,
	                                      NULL, NULL);
	g_object_unref(p->call);
	g_free(p->app_esc);
	g_free(p);
}

/* A call an app of the jail made to L's name (or L's unique name): the
 * same call, to that name, through the proxy. */
static void
forward_call(struct link *l, GDBusMessage *m)
{
	const char *sender = g_dbus_message_get_sender(m);
	const char *path = g_dbus_message_get_path(m);
	g_autofree char *app_esc = NULL, *np = NULL;
	g_autoptr(GDBusMessage) out = NULL;
	g_autoptr(GError) error = NULL;
	GVariant *body = g_dbus_message_get_body(m);
	struct pending *p;

	if (sender == NULL)
		return;
	app_esc = sender_escaped(sender);
	out = g_dbus_message_copy(m, &error);
	if (out == NULL)
		return;
	g_dbus_message_set_sender(out, NULL);
	g_dbus_message_set_destination(out, l->name);
	if (path != NULL && (np = portal_path_swap(path, app_esc, br.host_esc, NULL)) != NULL)
		g_dbus_message_set_path(out, np);
	if (body != NULL)
		record_tokens(body, sender);
	set_body_rewritten(out, m, app_esc, br.host_esc);
	if (g_dbus_message_get_flags(m) & G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED) {
		(void) g_dbus_connection_send_message(br.host, out, G_DBUS_SEND_MESSAGE_FLAGS_NONE,
		                                      NULL, NULL);
		return;
	}
	p = g_new0(struct pending, 1);
	p->call = g_object_ref(m);
	p->link = l;
	p->app_esc = g_steal_pointer(&app_esc);
	g_dbus_connection_send_message_with_reply(br.host, out, G_DBUS_SEND_MESSAGE_FLAGS_NONE,
	                                          G_MAXINT, NULL, NULL, call_done, p);
}

/* A signal the proxy let through to us: on a portal request or session
 * of ours, to the app it is for (a request's Response ends it); else to
 * every app, from the connection of the name its sender owns. */
static void
forward_signal(GDBusMessage *m)
{
	const char *path = g_dbus_message_get_path(m);
	struct link *l = link_by_owner(g_dbus_message_get_sender(m));
	g_autofree char *key = NULL, *probe = NULL, *app_esc = NULL, *np = NULL;
	g_autoptr(GDBusMessage) out = NULL;
	const char *app = NULL;

	if (l == NULL || path == NULL)
		return;
	out = g_dbus_message_copy(m, NULL);
	if (out == NULL)
		return;
	g_dbus_message_set_sender(out, NULL);
	g_dbus_message_set_destination(out, NULL);
	probe = portal_path_swap(path, br.host_esc, "", &key);
	if (key != NULL) {
		app = g_hash_table_lookup(br.tokens, key);
		if (app == NULL)
			return; /* no app of ours asked for it */
		app_esc = sender_escaped(app);
		np = portal_path_swap(path, br.host_esc, app_esc, NULL);
		g_dbus_message_set_path(out, np);
		g_dbus_message_set_destination(out, app);
		set_body_rewritten(out, m, br.host_esc, app_esc);
	}
	(void) g_dbus_connection_send_message(l->priv, out, G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL,
	                                      NULL);
	if (key != NULL && g_str_has_prefix(key, "request/") &&
	    g_strcmp0(g_dbus_message_get_member(m), "Response") == 0)
		g_hash_table_remove(br.tokens, key);
}

static gboolean
drain_queue(gpointer unused)
{
	for (;;) {
		struct queued *q;

		g_mutex_lock(&br.lock);
		q = g_queue_pop_head(&br.queue);
		if (q == NULL)
			br.idle_set = false;
		g_mutex_unlock(&br.lock);
		if (q == NULL)
			return G_SOURCE_REMOVE;
		if (q->link != NULL)
			forward_call(q->link, q->msg);
		else if (q->export != NULL) {
			export_call(q->export, q->msg);
			export_unref(q->export);
		} else
			forward_signal(q->msg);
		g_object_unref(q->msg);
		g_free(q);
	}
}

static void
enqueue(GDBusMessage *m, struct link *l, struct export *e)
{
	struct queued *q = g_new0(struct queued, 1);

	q->msg = g_object_ref(m);
	q->link = l;
	q->export = e != NULL ? export_ref(e) : NULL;
	g_mutex_lock(&br.lock);
	g_queue_push_tail(&br.queue, q);
	if (!br.idle_set) {
		br.idle_set = true;
		g_idle_add(drain_queue, NULL);
	}
	g_mutex_unlock(&br.lock);
}

/* The private bus, GDBus's worker thread: a method call to L's name is
 * ours to forward (GDBus would answer UnknownMethod). */
static GDBusMessage *
priv_filter(GDBusConnection *c, GDBusMessage *m, gboolean incoming, gpointer data)
{
	const char *dest = g_dbus_message_get_destination(m);

	if (!incoming || g_dbus_message_get_message_type(m) != G_DBUS_MESSAGE_TYPE_METHOD_CALL ||
	    dest == NULL)
		return m;
	enqueue(m, data, NULL);
	g_object_unref(m);
	return NULL;
}

/* An exported name's connection to the proxy, GDBus's worker thread: the
 * host's calls to it are the app's. */
static GDBusMessage *
export_filter(GDBusConnection *c, GDBusMessage *m, gboolean incoming, gpointer data)
{
	if (!incoming || g_dbus_message_get_message_type(m) != G_DBUS_MESSAGE_TYPE_METHOD_CALL ||
	    g_dbus_message_get_destination(m) == NULL)
		return m;
	enqueue(m, NULL, data);
	g_object_unref(m);
	return NULL;
}

/* The proxy, GDBus's worker thread: signals other than the bus's own are
 * the apps'. */
static GDBusMessage *
host_filter(GDBusConnection *c, GDBusMessage *m, gboolean incoming, gpointer data)
{
	if (!incoming || g_dbus_message_get_message_type(m) != G_DBUS_MESSAGE_TYPE_SIGNAL ||
	    g_strcmp0(g_dbus_message_get_sender(m), DBUS_NAME) == 0)
		return m;
	enqueue(m, NULL, NULL);
	g_object_unref(m);
	return NULL;
}

static void
closed(GDBusConnection *c, gboolean remote, GError *error, gpointer data)
{
	fprintf(stderr, "dbus-bridge: %s bus closed, leaving\n", (const char *) data);
	g_main_loop_quit(br.loop);
}

static char *
host_owner(const char *name)
{
	g_autoptr(GVariant) r = NULL;
	char *owner = NULL;

	r = g_dbus_connection_call_sync(br.host, DBUS_NAME, DBUS_PATH, DBUS_NAME, "GetNameOwner",
	                                g_variant_new("(s)", name), G_VARIANT_TYPE("(s)"),
	                                G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
	if (r != NULL)
		g_variant_get(r, "(s)", &owner);
	return owner;
}

/* NAME of the host bus, visible to the jail: a connection of its own on
 * the private bus owning it. */
static void
link_add(const char *name)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = NULL;
	struct link *l;
	guint32 result = 0;

	if (name[0] == ':' || strcmp(name, DBUS_NAME) == 0 || name_is_apps(name) ||
	    link_by_name(name) != NULL)
		return;
	if (br.links->len >= LINKS_MAX) {
		fprintf(stderr, "dbus-bridge: more than %d names, not bridging '%s'\n", LINKS_MAX,
		        name);
		return;
	}
	l = g_new0(struct link, 1);
	l->name = g_strdup(name);
	l->host_owner = host_owner(name);
	l->priv = g_dbus_connection_new_for_address_sync(
	    br.priv_address,
	    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
	        G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
	    NULL, NULL, &error);
	if (l->priv == NULL)
		fail("unable to connect to the private bus", error);
	g_dbus_connection_set_exit_on_close(l->priv, FALSE);
	g_signal_connect(l->priv, "closed", G_CALLBACK(closed), "the private");
	r = g_dbus_connection_call_sync(l->priv, DBUS_NAME, DBUS_PATH, DBUS_NAME, "RequestName",
	                                g_variant_new("(su)", name, 4 /* DO_NOT_QUEUE */),
	                                G_VARIANT_TYPE("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
	                                &error);
	if (r != NULL)
		g_variant_get(r, "(u)", &result);
	if (result != 1 /* PRIMARY_OWNER */) {
		/* An app of the jail took it first: it is theirs. */
		fprintf(stderr, "dbus-bridge: unable to own '%s' on the private bus%s%s\n", name,
		        error != NULL ? ": " : "", error != NULL ? error->message : "");
		g_dbus_connection_close_sync(l->priv, NULL, NULL);
		g_object_unref(l->priv);
		g_free(l->host_owner);
		g_free(l->name);
		g_free(l);
		return;
	}
	g_dbus_connection_add_filter(l->priv, priv_filter, l, NULL);
	g_ptr_array_add(br.links, l);
}

static void
name_owner_changed(GDBusConnection *c, const char *sender, const char *path, const char *iface,
                   const char *member, GVariant *params, gpointer data)
{
	const char *name, *old, *new;
	struct link *l;

	g_variant_get(params, "(&s&s&s)", &name, &old, &new);
	l = link_by_name(name);
	if (l != NULL) {
		g_free(l->host_owner);
		l->host_owner = new[0] != '\0' ? g_strdup(new) : NULL;
	} else if (new[0] != '\0')
		link_add(name);
}

static void
add_listed(const char *method)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = NULL;
	g_autoptr(GVariantIter) it = NULL;
	const char *name;

	r = g_dbus_connection_call_sync(br.host, DBUS_NAME, DBUS_PATH, DBUS_NAME, method, NULL,
	                                G_VARIANT_TYPE("(as)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
	                                &error);
	if (r == NULL) {
		fprintf(stderr, "dbus-bridge: %s on the proxy failed: %s\n", method,
		        error->message);
		return;
	}
	g_variant_get(r, "(as)", &it);
	while (g_variant_iter_loop(it, "&s", &name))
		link_add(name);
}

struct export_pending {
	GDBusMessage *call;
	struct export *export;
};

static void
export_call_done(GObject *source, GAsyncResult *res, gpointer data)
{
	struct export_pending *p = data;
	g_autoptr(GDBusMessage) reply = NULL, out = NULL;

	reply =
	    g_dbus_connection_send_message_with_reply_finish(G_DBUS_CONNECTION(source), res, NULL);
	if (reply != NULL)
		out = g_dbus_message_copy(reply, NULL);
	if (out == NULL)
		out = g_dbus_message_new_method_error_literal(
		    p->call, "org.freedesktop.DBus.Error.NoReply", "the jail's app did not answer");
	else {
		g_dbus_message_set_sender(out, NULL);
		g_dbus_message_set_destination(out, g_dbus_message_get_sender(p->call));
		g_dbus_message_set_reply_serial(out, g_dbus_message_get_serial(p->call));
	}
	if (p->export->host != NULL)
		(void) g_dbus_connection_send_message(p->export->host, out,
		                                      G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL, NULL);
	g_object_unref(p->call);
	export_unref(p->export);
	g_free(p);
}

/* A call from the user's bus to an app's exported name: to the app. */
static void
export_call(struct export *e, GDBusMessage *m)
{
	g_autoptr(GDBusMessage) out = g_dbus_message_copy(m, NULL);
	struct export_pending *p;

	if (out == NULL || e->host == NULL)
		return;
	g_dbus_message_set_sender(out, NULL);
	g_dbus_message_set_destination(out, e->name);
	if (g_dbus_message_get_flags(m) & G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED) {
		(void) g_dbus_connection_send_message(br.priv_ctl, out,
		                                      G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL, NULL);
		return;
	}
	p = g_new0(struct export_pending, 1);
	p->call = g_object_ref(m);
	p->export = export_ref(e);
	g_dbus_connection_send_message_with_reply(br.priv_ctl, out, G_DBUS_SEND_MESSAGE_FLAGS_NONE,
	                                          G_MAXINT, NULL, NULL, export_call_done, p);
}

/* A signal of the app that holds E's name: the same, on the user's bus
 * (the proxy passes what an owner of the name sends). */
static void
app_signal(GDBusConnection *c, const char *sender, const char *path, const char *iface,
           const char *member, GVariant *params, gpointer data)
{
	struct export *e = data;

	if (e->host != NULL)
		(void) g_dbus_connection_emit_signal(e->host, NULL, path, iface, member, params,
		                                     NULL);
}

static struct export *
export_by_name(const char *name)
{
	for (guint i = 0; i < br.exports->len; i++) {
		struct export *e = g_ptr_array_index(br.exports, i);

		if (strcmp(e->name, name) == 0)
			return e;
	}
	return NULL;
}

/* The app gave NAME up, or left: so do we, on the user's bus. A call
 * still on its way finds e->host NULL. */
static void
export_end(struct export *e)
{
	g_dbus_connection_signal_unsubscribe(br.priv_ctl, e->signals);
	if (e->host != NULL) {
		g_dbus_connection_remove_filter(e->host, e->filter);
		g_dbus_connection_close_sync(e->host, NULL, NULL);
		g_clear_object(&e->host);
	}
	g_ptr_array_remove(br.exports, e);
	/* Freed with the last reference: a reply on its way may still name
	 * it. */
	export_unref(e);
}

static void
export_start(const char *name, const char *app)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = NULL;
	struct export *e;
	guint32 result = 0;

	if (br.exports->len >= LINKS_MAX)
		return;
	e = g_new0(struct export, 1);
	e->refs = 1;
	e->name = g_strdup(name);
	e->app = g_strdup(app);
	e->host = g_dbus_connection_new_for_address_sync(
	    br.host_address,
	    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
	        G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
	    NULL, NULL, &error);
	if (e->host != NULL) {
		g_dbus_connection_set_exit_on_close(e->host, FALSE);
		r = g_dbus_connection_call_sync(
		    e->host, DBUS_NAME, DBUS_PATH, DBUS_NAME, "RequestName",
		    g_variant_new("(su)", name, 4 /* DO_NOT_QUEUE */), G_VARIANT_TYPE("(u)"),
		    G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
		if (r != NULL)
			g_variant_get(r, "(u)", &result);
	}
	if (result != 1 /* PRIMARY_OWNER */) {
		fprintf(stderr,
		        "dbus-bridge: unable to own '%s' on the user's bus for the jail%s%s\n",
		        name, error != NULL ? ": " : "", error != NULL ? error->message : "");
		if (e->host != NULL)
			g_dbus_connection_close_sync(e->host, NULL, NULL);
		g_clear_object(&e->host);
		export_unref(e);
		return;
	}
	e->filter =
	    g_dbus_connection_add_filter(e->host, export_filter, export_ref(e), export_unref);
	e->signals = g_dbus_connection_signal_subscribe(br.priv_ctl, app, NULL, NULL, NULL, NULL,
	                                                G_DBUS_SIGNAL_FLAGS_NONE, app_signal,
	                                                export_ref(e), export_unref);
	g_ptr_array_add(br.exports, e);
}

/* The private bus: an app took or gave up one of its own names. */
static void
private_owner_changed(GDBusConnection *c, const char *sender, const char *path, const char *iface,
                      const char *member, GVariant *params, gpointer data)
{
	const char *name, *old, *new;
	struct export *e;

	g_variant_get(params, "(&s&s&s)", &name, &old, &new);
	if (name[0] == ':' || !name_is_exported(name))
		return;
	e = export_by_name(name);
	if (e != NULL)
		export_end(e);
	if (new[0] != '\0')
		export_start(name, new);
}

int
main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	char *end;
	long ready_fd;

	/* Before anything of the jail's reaches us: not dumpable, so no
	 * process of the jail can ptrace us, read our memory or open our
	 * /proc/PID/exe and fds (our stderr is the jail's log). */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		fprintf(stderr, "dbus-bridge: unable to become non-dumpable: %s\n",
		        strerror(errno));
		return 1;
	}
	if (argc < 4) {
		fprintf(stderr, "usage: dbus-bridge PRIVATE-ADDRESS HOST-ADDRESS READY-FD "
		                "[APP-NAME…]\n");
		return 2;
	}
	errno = 0;
	ready_fd = strtol(argv[3], &end, 10);
	if (errno != 0 || *end != '\0' || ready_fd < 3 || ready_fd > 1024) {
		fprintf(stderr, "dbus-bridge: invalid READY-FD '%s'\n", argv[3]);
		return 2;
	}
	/* Run by its fd, we would be "4" in ps. */
	(void) prctl(PR_SET_NAME, "dbus-bridge", 0, 0, 0);
	br.priv_address = argv[1];
	br.host_address = argv[2];
	br.exports = g_ptr_array_new();
	br.app_names = argv + 4;
	br.links = g_ptr_array_new();
	br.tokens = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	br.loop = g_main_loop_new(NULL, FALSE);
	g_mutex_init(&br.lock);
	g_queue_init(&br.queue);

	br.host = g_dbus_connection_new_for_address_sync(
	    argv[2],
	    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
	        G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
	    NULL, NULL, &error);
	if (br.host == NULL) {
		/* No session bus behind the proxy (a session without one): the
		 * jail keeps its own bus, its apps their names, and there is
		 * nothing of the user's to forward. */
		fprintf(stderr,
		        "dbus-bridge: the user's session bus is not reachable (%s): the jail has "
		        "its own bus only\n",
		        error != NULL ? error->message : "?");
		return write((int) ready_fd, "r", 1) == 1 ? 0 : 1;
	}
	g_dbus_connection_set_exit_on_close(br.host, FALSE);
	g_signal_connect(br.host, "closed", G_CALLBACK(closed), "the proxy's");
	br.host_esc = sender_escaped(g_dbus_connection_get_unique_name(br.host));
	g_dbus_connection_signal_subscribe(br.host, DBUS_NAME, DBUS_NAME, "NameOwnerChanged",
	                                   DBUS_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
	                                   name_owner_changed, NULL, NULL);
	/* Every signal the proxy lets through: it decides which. */
	(void) g_dbus_connection_call_sync(br.host, DBUS_NAME, DBUS_PATH, DBUS_NAME, "AddMatch",
	                                   g_variant_new("(s)", "type='signal'"), NULL,
	                                   G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
	g_dbus_connection_add_filter(br.host, host_filter, NULL, NULL);
	br.priv_ctl = g_dbus_connection_new_for_address_sync(
	    br.priv_address,
	    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
	        G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
	    NULL, NULL, &error);
	if (br.priv_ctl == NULL)
		fail("unable to connect to the private bus", error);
	g_dbus_connection_set_exit_on_close(br.priv_ctl, FALSE);
	g_signal_connect(br.priv_ctl, "closed", G_CALLBACK(closed), "the private");
	g_dbus_connection_signal_subscribe(br.priv_ctl, DBUS_NAME, DBUS_NAME, "NameOwnerChanged",
	                                   DBUS_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
	                                   private_owner_changed, NULL, NULL);
	add_listed("ListNames");
	add_listed("ListActivatableNames");

	if (write((int) ready_fd, "r", 1) != 1)
		return 1;
	close((int) ready_fd);
	g_main_loop_run(br.loop);
	return 0;
}
