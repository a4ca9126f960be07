"""Versions: comparing two versions (diff), cutting a release, the CHANGELOG, finding releases in git, the release zip's README."""
