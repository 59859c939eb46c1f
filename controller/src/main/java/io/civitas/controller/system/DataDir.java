package io.civitas.controller.system;

import io.civitas.controller.CivitasProperties;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** The controller's local folder ({@code civitas.data-dir}), created owner-only (0700) when missing. */
@Component
public class DataDir {

    private final Path path;

    DataDir(CivitasProperties properties) {
        this.path = properties.dataDir().toAbsolutePath().normalize();
        try {
            if (!Files.isDirectory(path)) {
                if (posix()) {
                    Files.createDirectories(path,
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } else {
                    Files.createDirectories(path);
                }
            }
        } catch (IOException e) {
            throw new StartupException("Cannot create the data folder " + path + " (" + reason(e) + ").",
                    "Choose a writable folder with --data DIR (civitas.data-dir).", e);
        }
        if (!Files.isWritable(path)) {
            throw new StartupException("The data folder " + path + " is not writable.",
                    "Choose a writable folder with --data DIR (civitas.data-dir).", null);
        }
    }

    public Path path() {
        return path;
    }

    public Path resolve(String name) {
        return path.resolve(name);
    }

    /** What went wrong, in the file system's words, without the exception's class name. */
    static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage();
    }

    static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }
}
