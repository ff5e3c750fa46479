from django.urls import path

from clusters import views

app_name = "clusters"

urlpatterns = [
    path("", views.home, name="home"),
    path("clusters/", views.cluster_list, name="list"),
    path("clusters/export.csv", views.export_csv, name="export_csv"),
    path("clusters/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("clusters/<slug:slug>/", views.cluster_detail, name="detail"),
    path("rankings/", views.rankings, name="rankings"),
    path("map/", views.cluster_map, name="map"),
    path("compare/", views.compare_clusters, name="compare"),
    path("compare/export.csv", views.compare_csv, name="compare_csv"),
    path("compare/export.xlsx", views.compare_xlsx, name="compare_xlsx"),
    path("data/", views.open_data, name="data"),
    path("data/<slug:kind>.csv", views.data_csv, name="data_csv"),
    path("data/<slug:kind>.xlsx", views.data_xlsx, name="data_xlsx"),
]
