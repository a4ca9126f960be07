"""The static website of the package (`csto-alignment site`): needs the optional `site` extra."""
