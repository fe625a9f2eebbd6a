# Regenerate the R data fixtures: 19 rows of mlbench's BostonHousing (Debian's r-cran-mlbench)
# saved as R saves data (format versions 2 and 3; gzip, xz, bzip2), and R's own CSV of the
# same rows, which the tests compare numnet's R reader with.
#     cd tests/golden/dataset_files/r && Rscript make.R
load("/usr/lib/R/site-library/mlbench/data/BostonHousing.rda")
BostonHousing <- BostonHousing[c(1:12, 500:506), ]
save(BostonHousing, file = "boston_v2_gzip.rda", version = 2, compress = "gzip")
save(BostonHousing, file = "boston_v3_xz.rda", version = 3, compress = "xz")
save(BostonHousing, file = "boston_v3_bzip2.rda", version = 3, compress = "bzip2")
x <- BostonHousing
x$chas <- as.numeric(as.character(x$chas))
write.csv(x, "boston_rows.csv", row.names = FALSE)
