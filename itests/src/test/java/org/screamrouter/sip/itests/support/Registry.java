package org.screamrouter.sip.itests.support;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The registrar's {@code DeviceRegistry} read through reflection. The probe never links to the registrar's
 * package, so a {@code bundle:update} of the registrar (and the refresh of its importers) cannot take the probe
 * down with it, and every call reaches the registrar revision that is live now.
 */
public final class Registry {
    private static final String SERVICE = "org.screamrouter.sip.registrar.DeviceRegistry";

    /** One binding as text: AOR, contact, transport, source, absolute expiry (epoch ms). */
    public record BindingRow(String aor, String contact, String transport, String source, long expiresMillis) {
        public String key() {
            return aor + " " + contact;
        }
    }

    private final BundleContext context;

    public Registry(BundleContext context) {
        this.context = context;
    }

    public boolean available() {
        return context.getServiceReference(SERVICE) != null;
    }

    public List<BindingRow> bindings() throws Exception {
        ServiceReference<?> ref = context.getServiceReference(SERVICE);
        if (ref == null) throw new IllegalStateException("no " + SERVICE + " service");
        Object registry = context.getService(ref);
        try {
            List<?> list = (List<?>) method(registry, "bindings").invoke(registry);
            List<BindingRow> out = new ArrayList<>(list.size());
            for (Object b : list) {
                Object expires = method(b, "expires").invoke(b);
                long millis = (long) method(expires, "toEpochMilli").invoke(expires);
                out.add(new BindingRow((String) method(b, "addressOfRecord").invoke(b), (String) method(b, "contactUri").invoke(b),
                        (String) method(b, "transport").invoke(b), String.valueOf(method(b, "source").invoke(b)), millis));
            }
            return out;
        } finally {
            context.ungetService(ref);
        }
    }

    private static Method method(Object target, String name) throws NoSuchMethodException {
        Method m = target.getClass().getMethod(name);
        m.setAccessible(true);
        return m;
    }
}
