package org.screamrouter.sip.stack.internal;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;

/** A logger that keeps what {@code warn(String, Object...)} was given: the collaborator of a test, not its subject. */
final class RecordingLogger {
    /** Each WARN line: its format, then its arguments. */
    final List<List<Object>> lines = new CopyOnWriteArrayList<>();

    Logger logger() {
        return (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] {Logger.class}, (proxy, method, args) -> {
            if (method.getName().equals("warn") && args.length == 2 && args[1] instanceof Object[] values) {
                List<Object> line = new ArrayList<>(List.of(args[0]));
                line.addAll(Arrays.asList(values));
                lines.add(line);
            }
            return method.getReturnType() == boolean.class ? Boolean.TRUE : null;
        });
    }
}
