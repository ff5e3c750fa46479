from django.urls import path

from clusters import views, views_compare, views_rankings

app_name = "clusters"

urlpatterns = [
    path("", views.home, name="home"),
    path("clusters/", views.cluster_list, name="list"),
    path("clusters/export.csv", views.export_csv, name="export_csv"),
    path("clusters/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("clusters/<slug:slug>/", views.cluster_detail, name="detail"),
    path("rankings/", views_rankings.rankings_view, name="rankings"),
    path("compare/", views_compare.compare_page, name="compare"),
    path("compare/export.csv", views_compare.export_csv, name="compare_csv"),
    path("compare/export.xlsx", views_compare.export_xlsx, name="compare_xlsx"),
]
