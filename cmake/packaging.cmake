# The Debian package: `cmake --build build --target package` writes
# build/tgscribe_<version>_amd64.deb (CPack's DEB generator; no debhelper needed).
# Maintainer scripts, conffiles list, unit and env file are in packaging/debian/;
# scripts/package-test installs the package into a fresh Debian 12 root and checks it.
include(GNUInstallDirs)

set(_pkg ${CMAKE_SOURCE_DIR}/packaging/debian)

# Paths are absolute on purpose: a Debian package puts the unit in /lib/systemd/system and
# its configuration in /etc whatever the install prefix of the binary.
install(TARGETS tgscribe RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT tgscribe)
install(FILES ${_pkg}/tgscribe.service DESTINATION /lib/systemd/system COMPONENT tgscribe)
# 0640: the file holds the bot token; postinst gives it to group tgscribe once that exists.
install(FILES ${_pkg}/tgscribe.env DESTINATION /etc/tgscribe
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ COMPONENT tgscribe)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/docs/configuration.md
              ${CMAKE_SOURCE_DIR}/docs/operations.md
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/tgscribe COMPONENT tgscribe)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tgscribe)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "tgscribe maintainers <tgscribe@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Telegram bot and CLI that transcribe voice notes, audio and video")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "Telegram bot and CLI that transcribe voice notes, audio and video\n\
tgscribe turns voice notes, audio, video and video notes sent to a Telegram bot, or local\n\
media files, into text (.txt, .srt, .vtt, .json). It works offline with an embedded English\n\
engine (PocketSphinx) and uses Groq, OpenAI-compatible servers or Deepgram when given a key.\n\
Jobs live in a durable queue (SQLite, or Redis for several instances).\n\
.\n\
The package runs the bot as the system user tgscribe under a hardened systemd unit,\n\
configured in /etc/tgscribe/tgscribe.env. It is not started on install: set the bot token,\n\
run `tgscribe doctor`, then `systemctl enable --now tgscribe`.")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # tgscribe_<version>_<arch>.deb
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
# Library dependencies from what the binary links (dpkg-shlibdeps, package dpkg-dev); the rest
# are what it needs at run time without linking it: the English model of the embedded engine,
# CA certificates for HTTPS, adduser for postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, ca-certificates, pocketsphinx-en-us")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "redis-server")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${_pkg}/conffiles ${_pkg}/postinst ${_pkg}/prerm
                                       ${_pkg}/postrm)
# Keep the maintainer scripts 0755 and conffiles 0644 whatever the checkout's umask.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
