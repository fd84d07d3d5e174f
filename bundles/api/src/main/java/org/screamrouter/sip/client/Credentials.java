package org.screamrouter.sip.client;

import java.util.Objects;

/**
 * What answers a digest challenge (RFC 3261 22.4, RFC 8760): a user name and either the password or, for a
 * single realm and algorithm, the precomputed H(A1).
 *
 * @param username the digest user name
 * @param password the password, or null when {@code ha1} is given
 * @param realm    the realm the {@code ha1} belongs to (null: any realm, password only)
 * @param ha1      H(username:realm:password) in lower-case hex for the algorithm of the challenge, or null
 */
public record Credentials(String username, String password, String realm, String ha1) {
    public Credentials {
        Objects.requireNonNull(username, "username");
        if ((password == null) == (ha1 == null)) {
            throw new IllegalArgumentException("give either a password or an H(A1)");
        }
    }

    public static Credentials password(String username, String password) {
        return new Credentials(username, password, null, null);
    }

    /** Credentials as H(A1), valid for challenges of {@code realm} with the algorithm it was computed with. */
    public static Credentials ha1(String username, String realm, String ha1) {
        return new Credentials(username, null, Objects.requireNonNull(realm, "realm"), ha1);
    }

    @Override
    public String toString() {
        return "Credentials[" + username + (realm == null ? "" : "@" + realm) + "]";
    }
}
