package org.screamrouter.sip.auth.internal;

import java.io.IOException;
import java.nio.CharBuffer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.AuthorizationHeader;
import javax.sip.header.Header;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.util.Map;
import java.util.function.Function;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.screamrouter.sip.auth.SipAuthenticator;
import org.screamrouter.sip.auth.SipCredentials;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.stack.HandlerClosedException;
import org.screamrouter.sip.stack.SipMessages;
import org.screamrouter.sip.stack.digest.DigestAlgorithm;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.screamrouter.sip.stack.DataFiles;

/**
 * Digest authentication (RFC 3261 22.4, RFC 7616, RFC 8760) for registrar, presence and calls: challenges with SHA-256
 * then MD5, {@code qop="auth"}, stateless nonces ({@link Nonces}) and a bounded replay memory ({@link NonceCounts});
 * credentials come from the users file ({@link UsersFile}), read again by this component's own thread when it
 * changes, so a request never waits for the disk. Also the {@link SipCredentials} the shell edits the file with.
 * Configured by its own PID ({@link AuthConfig}) and, for a server upgraded from before the auth bundle, by the
 * {@code auth.*} keys still in the registrar's ({@link RegistrarKeys}); it listens to the changes of both.
 */
@Component(service = {SipAuthenticator.class, SipCredentials.class, ConfigurationListener.class}, configurationPid = AuthConfig.PID)
@Designate(ocd = AuthConfig.class)
public final class DigestAuthenticator implements SipAuthenticator, SipCredentials, ConfigurationListener {
    private static final Logger LOG = LoggerFactory.getLogger(DigestAuthenticator.class);
    /** Nonces remembered for replay detection; past this the first used is dropped (see {@link NonceCounts}). */
    static final int REPLAY_MEMORY = 100_000;
    private static final Pattern NC = Pattern.compile("[0-9a-fA-F]{8}");
    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]+");
    /** Hashes compared for an unknown user, so that the answer takes as long as for a known one. */
    private static final UsersFile.Entry NOBODY = new UsersFile.Entry("", "0".repeat(32), "0".repeat(64), List.of());

    /** The configuration as this component uses it, replaced as a whole on {@code @Modified}. */
    record Settings(boolean digest, String realm, Set<String> methods, Set<String> transports,
                    List<DigestAlgorithm> algorithms, Duration nonceLifetime, Path usersFile) {
        /** The transports {@code auth.transports} may name. */
        static final Set<String> TRANSPORTS = Set.of("udp", "tcp", "ws", "tls", "wss");

        static Settings of(AuthConfig c) {
            String realm = c.auth_realm().isBlank() ? RegistrarKeys.DEFAULT_DOMAIN : c.auth_realm().trim().replace("\"", "");
            Set<String> methods = tokens(c.auth_methods()).stream().map(m -> m.toUpperCase(Locale.ROOT))
                    .collect(Collectors.toUnmodifiableSet());
            Set<String> transports = new java.util.HashSet<>();
            for (String token : tokens(c.auth_transports())) {
                String t = token.toLowerCase(Locale.ROOT);
                if (TRANSPORTS.contains(t)) transports.add(t);
                else LOG.warn("auth.transports: {} is not a transport (udp, tcp, ws, tls, wss); ignored", token);
            }
            if (transports.isEmpty()) {
                // fail closed: an empty or mistyped list must not switch authentication off everywhere
                LOG.warn("auth.transports names no transport: authentication applies on all of them");
                transports.addAll(TRANSPORTS);
            }
            List<DigestAlgorithm> algorithms = new ArrayList<>();
            for (String token : tokens(c.auth_algorithms())) {
                Optional<DigestAlgorithm> a = DigestAlgorithm.fromToken(token);
                if (a.isEmpty()) LOG.warn("auth.algorithms: {} is not supported (SHA-256, MD5); ignored", token);
                else if (!algorithms.contains(a.get())) algorithms.add(a.get());
            }
            if (algorithms.isEmpty()) algorithms = List.of(DigestAlgorithm.SHA_256, DigestAlgorithm.MD5);
            String mode = c.auth_mode().trim().toLowerCase(Locale.ROOT);
            if (!mode.equals("none") && !mode.equals("digest")) {
                // fail closed: a typo must not open a server that was meant to ask for passwords
                LOG.warn("auth.mode {} is neither none nor digest: digest authentication is on", c.auth_mode());
            }
            return new Settings(!mode.equals("none"), realm, methods, Set.copyOf(transports), List.copyOf(algorithms),
                    Duration.ofSeconds(c.auth_nonce_lifetime()), usersFile(c));
        }

        /** The values of a list property, also when a .cfg file gives them as one comma-separated string. */
        private static List<String> tokens(String[] values) {
            return Arrays.stream(values).flatMap(m -> Arrays.stream(m.split(","))).map(String::trim).filter(m -> !m.isEmpty()).toList();
        }

        private static Path usersFile(AuthConfig c) {
            String configured = c.auth_users_file().trim();
            if (!configured.isEmpty()) {
                // the .cfg file's ${karaf.etc} is expanded by Karaf; a value set from the shell arrives as written
                for (String property : List.of("karaf.etc", "karaf.data", "karaf.base", "karaf.home")) {
                    String value = System.getProperty(property);
                    if (value != null) configured = configured.replace("${" + property + "}", value);
                }
                return Path.of(configured);
            }
            String etc = System.getProperty("karaf.etc");
            return etc != null ? Path.of(etc, "screamrouter-sip.users") : Path.of("etc", "screamrouter-sip.users");
        }
    }

    /**
     * The stack's factories: a dynamic reference, so a {@code bundle:update} of the stack does not take the
     * authenticator down with it (its consumers would then wait for it, or answer 503, while the stack is away). Null
     * only between two revisions of the stack; a request still in the old one then goes back to it
     * ({@link #factories}).
     */
    private volatile SipMessages messages;
    private final Clock clock;
    private final Nonces nonces;
    private final NonceCounts counts;
    private final ScheduledExecutorService watcher;
    /** The registrar PID's properties (empty when it has none), for {@link RegistrarKeys}. */
    private final Function<String, Map<String, ?>> registrarConfig;
    private volatile Map<String, ?> own;
    private volatile Settings settings;
    private volatile UsersFile users;
    /** The advice last logged about the registrar's {@code auth.*} keys, so a change of either PID logs it once. */
    private String advised = "";

    @Activate
    public DigestAuthenticator(
            @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY) ConfigurationAdmin admin,
            Map<String, Object> properties, BundleContext context) throws IOException {
        this(null, properties, pid -> properties(admin, pid), Clock.systemUTC(), keyFile(context));
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void setMessages(SipMessages messages) {
        this.messages = messages;
    }

    void unsetMessages(SipMessages gone) {
        if (this.messages == gone) this.messages = null;
    }

    /** The stack's factories; while the stack is being replaced, the request goes back to the stack, held or dropped. */
    private SipMessages factories() {
        SipMessages now = messages;
        if (now == null) throw new HandlerClosedException("the SIP stack is being replaced");
        return now;
    }

    DigestAuthenticator(SipMessages messages, Map<String, ?> properties, Function<String, Map<String, ?>> registrarConfig, Clock clock,
            Path keyFile) throws IOException {
        this.messages = messages;
        this.clock = clock;
        this.registrarConfig = registrarConfig;
        SecureRandom random = new SecureRandom();
        this.nonces = new Nonces(Nonces.loadOrCreateKey(keyFile, random), random);
        this.counts = new NonceCounts(REPLAY_MEMORY, clock.millis());
        this.own = properties;
        this.settings = Settings.of(merged(properties));
        this.users = new UsersFile(settings.usersFile());
        users.refresh();
        logMode(settings);
        this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sip-auth-users-file");
            t.setDaemon(true);
            return t;
        });
        watcher.scheduleWithFixedDelay(this::refreshUsers, 1, 1, TimeUnit.SECONDS);
    }

    /** Where the nonce key was kept before the auth bundle (beside the registrar's store), so nonces stay authentic. */
    private static Path keyFile(BundleContext context) {
        return DataFiles.serverFile("auth-nonce.key", context::getDataFile);
    }

    /** A PID's properties through Configuration Admin; empty without it or without that configuration. */
    private static Map<String, ?> properties(ConfigurationAdmin admin, String pid) {
        if (admin == null) return Map.of();
        try {
            Configuration[] found = admin.listConfigurations("(service.pid=" + pid + ")");
            if (found == null || found.length == 0 || found[0].getProperties() == null) return Map.of();
            Map<String, Object> out = new java.util.HashMap<>();
            var keys = found[0].getProperties().keys();
            while (keys.hasMoreElements()) {
                String k = keys.nextElement();
                out.put(k, found[0].getProperties().get(k));
            }
            return out;
        } catch (IOException | InvalidSyntaxException e) {
            LOG.warn("reading the configuration {} failed; its auth.* keys are not used", pid, e);
            return Map.of();
        }
    }

    /** Our PID's properties with what the registrar's still says; logs the advice to move its keys when it changed. */
    private AuthConfig merged(Map<String, ?> properties) {
        RegistrarKeys.Merged merged = RegistrarKeys.merge(properties, registrarConfig.apply(RegistrarKeys.REGISTRAR_PID));
        String advice = merged.leftInRegistrar().isEmpty() ? "" : RegistrarKeys.advice(merged);
        synchronized (this) {
            if (!advice.equals(advised) && !advice.isEmpty()) LOG.warn(advice);
            advised = advice;
        }
        return merged.config();
    }

    /** A change of the registrar's PID may change its {@code auth.*} keys: applied as a change of ours. */
    @Override
    public void configurationEvent(ConfigurationEvent event) {
        if (RegistrarKeys.REGISTRAR_PID.equals(event.getPid())) {
            registrarChanged();
        }
    }

    void registrarChanged() {
        modified(own);
    }

    @Modified
    void modified(Map<String, ?> properties) {
        own = properties;
        apply(Settings.of(merged(properties)));
    }

    private synchronized void apply(Settings now) {
        Settings old = settings;
        if (!now.usersFile().equals(old.usersFile())) {
            UsersFile file = new UsersFile(now.usersFile());
            file.refresh();
            users = file;
        }
        settings = now;
        if (now.digest() != old.digest() || !now.realm().equals(old.realm()) || !now.methods().equals(old.methods())
                || !now.transports().equals(old.transports()) || !now.algorithms().equals(old.algorithms())) {
            logMode(now);
        }
    }

    @Deactivate
    void deactivate() {
        watcher.shutdownNow();
        try {
            watcher.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void logMode(Settings s) {
        if (s.digest()) {
            LOG.info("digest authentication on: realm {}, methods {}, transports {}, algorithms {}, users in {}", s.realm(), s.methods(),
                    new java.util.TreeSet<>(s.transports()), s.algorithms().stream().map(DigestAlgorithm::token).toList(), s.usersFile());
        } else {
            LOG.info("authentication off (auth.mode = none)");
        }
    }

    private void refreshUsers() {
        try {
            users.refresh();
        } catch (RuntimeException e) {
            LOG.warn("reading the credentials file failed", e);
        }
    }

    /** Reads the users file now if it changed, for tests that do not wait for the watcher. */
    void refreshUsersForTest() {
        users.refresh();
    }

    // SipAuthenticator

    @Override
    public Outcome authenticate(SipExchange exchange) {
        Settings s = settings;
        Request request = exchange.request();
        if (!s.digest() || !s.methods().contains(request.getMethod())
                || !s.transports().contains(exchange.flow().transport().toLowerCase(Locale.ROOT))) {
            return Outcome.open();
        }
        AuthorizationHeader credentials = null;
        String otherRealm = null;
        for (ListIterator<Header> it = request.getHeaders(AuthorizationHeader.NAME); it.hasNext(); ) {
            Header h = it.next();
            if (!(h instanceof AuthorizationHeader a) || !"digest".equalsIgnoreCase(a.getScheme())) continue; // RFC 4475 3.1.2.?: regaut01
            if (s.realm().equals(a.getParameter("realm"))) {
                credentials = a;
                break;
            }
            otherRealm = a.getParameter("realm");
        }
        if (credentials == null) {
            if (otherRealm != null) refuse(exchange, null, "credentials for another realm");
            else LOG.debug("{} from {} without credentials: challenged", request.getMethod(), exchange.flow());
            challenge(exchange, s, false);
            return Outcome.refused();
        }
        return check(exchange, s, credentials);
    }

    private Outcome check(SipExchange exchange, Settings s, AuthorizationHeader a) {
        Request request = exchange.request();
        String user = a.getParameter("username");
        String nonce = a.getParameter("nonce");
        String uri = a.getParameter("uri");
        String response = a.getParameter("response");
        String qop = a.getParameter("qop");
        String nc = a.getParameter("nc");
        String cnonce = a.getParameter("cnonce");
        String fault = missing("username", user, "nonce", nonce, "uri", uri, "response", response);
        if (fault == null && qop != null) fault = missing("nc", nc, "cnonce", cnonce);
        if (fault != null) return badRequest(exchange, user, "Authorization lacks " + fault);
        if (qop != null && !"auth".equalsIgnoreCase(qop)) return badRequest(exchange, user, "Unsupported qop " + qop);
        if (qop != null && !NC.matcher(nc).matches()) return badRequest(exchange, user, "Malformed nc (8 hex digits)");
        Optional<DigestAlgorithm> algorithm = DigestAlgorithm.fromToken(a.getParameter("algorithm"));
        if (algorithm.isEmpty() || !s.algorithms().contains(algorithm.get())) {
            return badRequest(exchange, user, "Unsupported digest algorithm " + a.getParameter("algorithm"));
        }
        int hexLength = algorithm.get() == DigestAlgorithm.MD5 ? 32 : 64;
        if (response.length() != hexLength || !HEX.matcher(response).matches()) {
            return badRequest(exchange, user, "Malformed digest response (" + hexLength + " hex digits for " + algorithm.get().token() + ")");
        }
        if (!sameUri(uri, request.getRequestURI())) return badRequest(exchange, user, "Digest uri does not match the Request-URI");

        Instant now = clock.instant();
        Nonces.Check nonceCheck = nonces.check(nonce, s.realm(), now, s.nonceLifetime());
        if (nonceCheck.state() == Nonces.State.FORGED) {
            refuse(exchange, user, "nonce not issued by this server");
            challenge(exchange, s, false);
            return Outcome.refused();
        }
        UsersFile.Entry entry = users.users().get(user);
        UsersFile.Entry known = entry != null ? entry : NOBODY;
        String ha1 = algorithm.get() == DigestAlgorithm.MD5 ? known.md5Ha1() : known.sha256Ha1();
        String expected = algorithm.get().response(ha1, nonce, nc, cnonce, qop, request.getMethod(), uri);
        boolean matches = DigestAlgorithm.matches(expected, response);
        if (entry == null || !matches) {
            // the same answer for both: a client learns nothing about which user names exist
            refuse(exchange, user, entry == null ? "unknown user" : "wrong response (" + algorithm.get().token() + ")");
            challenge(exchange, s, false);
            return Outcome.refused();
        }
        if (nonceCheck.state() == Nonces.State.EXPIRED) {
            refuse(exchange, user, "stale nonce");
            challenge(exchange, s, true);
            return Outcome.refused();
        }
        // without qop (RFC 2069) there is no count: a nonce is good for one request
        long count = qop == null ? 1 : Long.parseLong(nc, 16);
        NonceCounts.Verdict verdict = counts.use(nonce, nonceCheck.issuedMillis(), count, now.toEpochMilli(), s.nonceLifetime().toMillis());
        if (verdict == NonceCounts.Verdict.REPLAYED) {
            refuse(exchange, user, qop == null ? "nonce used before (no qop)" : "replayed nonce count " + nc);
            challenge(exchange, s, false);
            return Outcome.refused();
        }
        if (verdict == NonceCounts.Verdict.FORGOTTEN) {
            refuse(exchange, user, "nonce older than the replay memory");
            challenge(exchange, s, true);
            return Outcome.refused();
        }
        LOG.debug("{} {} authenticated ({}) from {}", request.getMethod(), user, algorithm.get().token(), exchange.flow());
        return Outcome.authenticated(user);
    }

    /** RFC 3261 22.4: the digest uri is compared with the Request-URI as given, and as URIs when the text differs. */
    private boolean sameUri(String digestUri, URI requestUri) {
        if (digestUri.equals(requestUri.toString())) return true;
        try {
            return factories().addresses().createURI(digestUri).equals(requestUri);
        } catch (ParseException e) {
            return false;
        }
    }

    private static String missing(String... namesAndValues) {
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (namesAndValues[i + 1] == null || namesAndValues[i + 1].isEmpty()) return namesAndValues[i];
        }
        return null;
    }

    private Outcome badRequest(SipExchange exchange, String user, String reason) {
        refuse(exchange, user, reason);
        exchange.respond(Response.BAD_REQUEST, "Bad Request (" + reason + ")");
        return Outcome.refused();
    }

    private static void refuse(SipExchange exchange, String user, String reason) {
        LOG.info("{} refused: user {}, from {}, {}", exchange.request().getMethod(), user == null ? "-" : printable(user), exchange.flow(), reason);
    }

    /** A name from a message, safe for one log line. */
    static String printable(String s) {
        StringBuilder out = new StringBuilder(Math.min(s.length(), 64) + 2).append('"');
        for (int i = 0; i < s.length() && i < 64; i++) {
            char c = s.charAt(i);
            out.append(c < ' ' || c == 0x7f ? '?' : c);
        }
        return out.append('"').toString();
    }

    /** 401 with a fresh nonce offered for each algorithm, by default SHA-256 first, then MD5 (RFC 8760 2.4: the preferred first). */
    private void challenge(SipExchange exchange, Settings s, boolean stale) {
        String nonce = nonces.create(clock.instant(), s.realm());
        Response response = exchange.createResponse(Response.UNAUTHORIZED, "Unauthorized");
        try {
            for (DigestAlgorithm algorithm : s.algorithms()) {
                String value = "Digest realm=\"" + s.realm() + "\", nonce=\"" + nonce + "\", algorithm=" + algorithm.token()
                        + ", qop=\"auth\"" + (stale ? ", stale=true" : "");
                response.addHeader(factories().headers().createHeader("WWW-Authenticate", value));
            }
        } catch (ParseException e) {
            throw new IllegalStateException("a challenge this class writes does not parse: realm " + s.realm(), e);
        }
        exchange.respond(response);
    }

    @Override
    public boolean owns(String user, String addressOfRecord) {
        String aor = UsersFile.canonicalAor(addressOfRecord);
        if (aor == null) return false;
        String userPart = aor.substring(aor.indexOf(':') + 1, aor.lastIndexOf('@'));
        if (userPart.equals(user)) return true;
        UsersFile.Entry entry = users.users().get(user);
        return entry != null && entry.extraAors().contains(aor);
    }

    // SipCredentials

    @Override
    public String realm() {
        return settings.realm();
    }

    @Override
    public List<User> users() {
        return users.users().values().stream().sorted((x, y) -> x.name().compareTo(y.name()))
                .map(e -> new User(e.name(), e.extraAors())).toList();
    }

    @Override
    public Optional<User> user(String name) {
        return Optional.ofNullable(users.users().get(name)).map(e -> new User(e.name(), e.extraAors()));
    }

    @Override
    public void setPassword(String name, char[] password, Collection<String> extraAddressesOfRecord) throws IOException {
        if (password == null || password.length == 0) throw new IllegalArgumentException("an empty password");
        String realm = settings.realm();
        // the password is needed as a String for the hash input only for this call
        String secret = CharBuffer.wrap(password).toString();
        String md5 = DigestAlgorithm.MD5.ha1(name, realm, secret);
        String sha256 = DigestAlgorithm.SHA_256.ha1(name, realm, secret);
        users.put(name, md5, sha256, extraAddressesOfRecord);
        LOG.info("credentials of user {} set in {} (realm {})", printable(name), users.path(), realm);
    }

    @Override
    public boolean remove(String name) throws IOException {
        boolean removed = users.remove(name);
        if (removed) LOG.info("user {} removed from {}", printable(name), users.path());
        return removed;
    }
}
