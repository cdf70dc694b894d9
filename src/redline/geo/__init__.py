"""Geography: country boundaries and the lookups built on them.

Modules
-------
countries
    Which country a point lies in, and which countries a sampled path
    passes over, from Natural Earth 1:50m outlines shipped with the package.
"""
