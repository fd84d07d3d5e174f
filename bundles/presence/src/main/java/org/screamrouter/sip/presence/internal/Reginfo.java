package org.screamrouter.sip.presence.internal;

import java.util.List;

/** Registration information documents (RFC 3680 section 5.3, {@code application/reginfo+xml}), full or partial state. */
final class Reginfo {
    static final String NAMESPACE = "urn:ietf:params:xml:ns:reginfo";

    private Reginfo() {}

    /** One contact of a registration (RFC 3680 5.3: state active or terminated, with the event that made it so). */
    record Contact(String uri, boolean active, String event, long expires) {}

    /** One address-of-record with its contacts; active when it has an active contact. */
    record Registration(String aor, List<Contact> contacts) {
        boolean active() {
            return contacts.stream().anyMatch(Contact::active);
        }
    }

    /** A reginfo document: {@code full} state lists every registration, partial only those that changed. */
    static String write(long version, boolean full, List<Registration> registrations) {
        StringBuilder s = new StringBuilder(256 + registrations.size() * 256);
        s.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        s.append("<reginfo xmlns=\"").append(NAMESPACE).append("\" version=\"").append(version).append("\" state=\"")
                .append(full ? "full" : "partial").append("\">\n");
        for (Registration r : registrations) {
            s.append("  <registration aor=\"").append(Xml.escape(r.aor())).append("\" id=\"").append(id(r.aor()))
                    .append("\" state=\"").append(r.active() ? "active" : "terminated").append("\">\n");
            for (Contact c : r.contacts()) {
                s.append("    <contact id=\"").append(id(r.aor() + '\n' + c.uri())).append("\" state=\"")
                        .append(c.active() ? "active" : "terminated").append("\" event=\"").append(c.event()).append('"');
                if (c.active()) s.append(" expires=\"").append(c.expires()).append('"');
                s.append(">\n      <uri>").append(Xml.escape(c.uri())).append("</uri>\n    </contact>\n");
            }
            s.append("  </registration>\n");
        }
        s.append("</reginfo>\n");
        return s.toString();
    }

    /** A stable id for a registration or contact (RFC 3680 5.3: ids stay the same across notifications). */
    static String id(String key) {
        return "r" + Integer.toHexString(key.hashCode());
    }
}
