package org.screamrouter.sip.itests.support;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.PrivilegedExceptionAction;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.security.auth.Subject;
import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.apache.karaf.jaas.boot.principal.UserPrincipal;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;

/** Karaf shell commands run headless as an admin console user (commands such as bundle:update are guarded by ACLs). */
public final class KarafShell {
    private final SessionFactory sessions;

    public KarafShell(SessionFactory sessions) {
        this.sessions = sessions;
    }

    /** What the command printed (and its result, if any). */
    public String run(String command) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Subject admin = new Subject();
            admin.getPrincipals().add(new UserPrincipal("itest"));
            for (String role : List.of("admin", "manager", "viewer", "systembundles")) {
                admin.getPrincipals().add(new RolePrincipal(role));
            }
            Future<?> done = executor.submit(() -> Subject.doAs(admin, (PrivilegedExceptionAction<Object>) () -> {
                Session session = sessions.create(new ByteArrayInputStream(new byte[0]), out, out);
                try {
                    Object result = session.execute(command);
                    if (result != null) out.println(result);
                } finally {
                    session.close();
                }
                return null;
            }));
            done.get(30, TimeUnit.SECONDS);
        } finally {
            executor.shutdownNow();
        }
        out.flush();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** The row of {@code sip:devices} naming this uuid, or null. */
    public String deviceRow(String uuid) throws Exception {
        for (String line : run("sip:devices").split("\\R")) {
            if (line.contains(uuid)) return line;
        }
        return null;
    }

    /** The Online column (yes/no) of a {@code sip:devices} row. */
    public static String online(String row) {
        if (row == null) return null;
        String[] cells = row.split("\\|");
        return cells.length >= 7 ? cells[6].trim() : null;
    }
}
