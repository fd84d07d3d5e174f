package org.screamrouter.sip.itests.support;

import static org.junit.Assert.fail;

import java.io.File;

/** External programs the real-peer tests run; a missing one fails the test naming the Debian package. */
public final class Tools {
    private Tools() {
    }

    public static String require(String program, String debianPackage) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin") + File.pathSeparator + "/usr/sbin:/usr/bin:/sbin:/bin";
        for (String dir : path.split(File.pathSeparator)) {
            File candidate = new File(dir, program);
            if (candidate.canExecute()) return candidate.getAbsolutePath();
        }
        fail(program + " is not installed: apt-get install -y --no-install-recommends " + debianPackage
                + " (.ci/test.sh installs it)");
        return null;
    }
}
