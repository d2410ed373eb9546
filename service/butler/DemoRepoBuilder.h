#pragma once

#include "Butler.h"

#include <functional>

namespace butler {

// What `butler make-demo-repo` builds. The same seed always gives the same repository: every
// random choice comes from generators seeded with it, and dataset IDs are derived from type,
// data ID and run (DatasetIdMode::DataIdTypeRun).
struct DemoRepoOptions
{
    using ProgressFn = std::function<void(const QString& stage, qint64 done, qint64 total)>;

    int nights = 3; // 1 to 31, starting with day_obs 20250615
    quint64 seed = 1;
    // The nine detectors of raft R22 and four exposures a night (about 4 MB), for tests.
    bool small = false;
    // Called as work advances, from the calling thread. Stages in order: "records", "raw",
    // "calexp", "sourceTable_visit", "deepCoadd", "calibrations", "collections".
    ProgressFn progress;
};

// What was built.
struct DemoRepoSummary
{
    int detectors = 0;
    int nights = 0;
    int exposures = 0;
    int visits = 0;
    int raws = 0;
    int calexps = 0;
    int sourceTables = 0;
    int tracts = 0;
    int patches = 0;
    int coadds = 0;
    int biases = 0;
    int flats = 0;
    int tagged = 0;
    qint64 fileBytes = 0; // bytes of all dataset files written
};

// Fills an empty repository with an LSSTCam-like observing run:
//
//   instrument LSSTCam, bands ugrizy and filters u_24 g_6 r_57 i_39 z_20 y_10, 189 science
//   detectors (R01_S00 ... R43_S22); per night day_obs, group, exposure and one-to-one visit
//   records (with visit and visit-detector regions as lsst.sphgeom ConvexPolygons), skymap
//   lsst_cells_v1 with the tracts and patches of the coadds.
//
//   LSSTCam/raw/all                       RUN          raw, one small FITS image per exposure x detector
//   LSSTCam/calib/bias/20250601, .../20250616, LSSTCam/calib/flat/20250601   RUN
//   LSSTCam/calib                         CALIBRATION  biases valid [06-01, 06-16) and [06-16, +inf)
//                                                      (day_obs boundaries), flats from 06-01 on
//   skymaps                               RUN          skyMap
//   LSSTCam/runs/DM-00001/calexp          RUN          calexp (raft R22) and sourceTable_visit
//   LSSTCam/runs/DM-00001/coadd           RUN          deepCoadd
//   LSSTCam/runs/DM-00001                 CHAINED      [calexp, coadd]
//   LSSTCam/tagged/best-seeing            TAGGED       calexps of the visits with the best seeing
//   LSSTCam/defaults                      CHAINED      [LSSTCam/raw/all, LSSTCam/calib, skymaps]
//
// Three nights hold about 100 exposures (30-34 a night) and 19k raws: about 185 MB on disk, as
// every FITS file takes at least two 2880-byte blocks (8 KiB on a file system of 4 KiB blocks). Files are
// made in parallel in a staging folder inside the repository and ingested in batches of 512 by hard link
// (moved when the datastore is on another file system). Prints nothing. On failure the repository keeps what
// was built so far.
class DemoRepoBuilder
{
public:
    static Result<DemoRepoSummary> build(Butler& butler, const DemoRepoOptions& options);
};

} // namespace butler
