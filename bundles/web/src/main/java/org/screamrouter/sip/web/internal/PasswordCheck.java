package org.screamrouter.sip.web.internal;

/** Checks a console login: the user's password and the role the console requires. */
interface PasswordCheck {
    enum Outcome {
        /** Right password, and the user has the role. */
        ACCEPTED,
        /** Unknown user or wrong password (never said which). */
        REFUSED,
        /** Right password, without the role. */
        LACKS_ROLE,
        /** The realm could not be asked (no JAAS realm of that name, a broken login module). */
        UNAVAILABLE
    }

    Outcome check(String user, char[] password);
}
