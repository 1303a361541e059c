"""The console's words for an incident's photos and location, in Chinese and English."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "where.building": ("楼栋 (选填)", "Building (optional)"),
    "where.unit": ("单元 (选填)", "Unit (optional)"),
    "where.none": ("不填", "Not given"),
    "where.place": ("位置", "Location"),
    "where.pin": ("地图位置 (选填)", "Map pin (optional)"),
    "where.latitude": ("纬度", "Latitude"),
    "where.longitude": ("经度", "Longitude"),
    "where.locate": ("用我的位置", "Use my location"),
    "photo.label": ("照片 (选填, 可直接拍照)", "Photo (optional; take one with the camera)"),
    "photo.hint": (
        "JPEG、PNG、WebP 或 HEIC, 不超过 {mb} MB; 位置等拍摄信息会被去除",
        "JPEG, PNG, WebP or HEIC, at most {mb} MB; where and when it was taken is removed",
    ),
    "photo.too_large": ("照片不能超过 {mb} MB", "The photo is larger than {mb} MB"),
    "photo.heading": ("照片", "Photos"),
    "photo.none": ("暂无照片", "No photos yet"),
    "photo.add": ("添加照片", "Add a photo"),
    "photo.open": ("查看原图", "Open the photo"),
    "photo.by": ("上传人", "By"),
    "photo.not_sent": (
        "事件已上报, 但照片未能保存: ",
        "The report was saved but its photo was not: ",
    ),
}
