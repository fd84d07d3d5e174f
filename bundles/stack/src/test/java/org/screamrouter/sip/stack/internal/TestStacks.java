package org.screamrouter.sip.stack.internal;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.Version;
import org.osgi.service.component.ComponentServiceObjects;
import org.screamrouter.sip.stack.SipRequestHandler;

/**
 * What the tests that activate a real {@link SipStackComponent} outside a framework share: its bundle context, a
 * handler as SCR hands it out, and a loopback port.
 */
final class TestStacks {
    private TestStacks() {
    }

    /** A bundle of version 1.0.0 whose service registrations do nothing. */
    static BundleContext context() {
        ClassLoader loader = TestStacks.class.getClassLoader();
        Bundle bundle = (Bundle) Proxy.newProxyInstance(loader, new Class<?>[] {Bundle.class},
                (p, m, a) -> m.getName().equals("getVersion") ? new Version(1, 0, 0) : null);
        return (BundleContext) Proxy.newProxyInstance(loader, new Class<?>[] {BundleContext.class},
                (p, m, a) -> switch (m.getName()) {
                    case "getBundle" -> bundle;
                    case "registerService" -> Proxy.newProxyInstance(loader, new Class<?>[] {ServiceRegistration.class}, (p2, m2, a2) -> null);
                    default -> null;
                });
    }

    /** The handler as SCR's {@code ComponentServiceObjects} gives it out. */
    @SuppressWarnings("unchecked")
    static ComponentServiceObjects<SipRequestHandler> objects(SipRequestHandler handler) {
        return (ComponentServiceObjects<SipRequestHandler>) Proxy.newProxyInstance(TestStacks.class.getClassLoader(),
                new Class<?>[] {ComponentServiceObjects.class}, (p, m, a) -> m.getName().equals("getService") ? handler : null);
    }

    /** A loopback port free for UDP and TCP alike. */
    static int freePort() {
        for (int attempt = 0; attempt < 20; attempt++) {
            try (DatagramSocket u = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                 ServerSocket t = new ServerSocket(u.getLocalPort(), 1, InetAddress.getLoopbackAddress())) {
                return u.getLocalPort();
            } catch (IOException taken) {
                // the TCP side is taken: another
            }
        }
        throw new IllegalStateException("no loopback port free for UDP and TCP");
    }
}
